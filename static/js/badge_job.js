// Badge print job page: polls the job's progress and shows the download button when it is done.
(function () {
  "use strict";
  var root = document.getElementById("badge-job");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");
  var messages = JSON.parse(document.getElementById("badge-job-messages").textContent);
  var bar = root.querySelector("[data-role=bar]");
  var count = root.querySelector("[data-role=count]");

  function show(progress) {
    bar.style.width = progress.percent + "%";
    bar.textContent = progress.percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(progress.percent));
    count.textContent = messages.count
      .replace("{done}", String(progress.done))
      .replace("{total}", String(progress.total));
    ["queued", "running", "done", "failed"].forEach(function (status) {
      root.querySelector("[data-role=status-" + status + "]").hidden = progress.status !== status;
    });
    var finished = progress.status === "done" || progress.status === "failed";
    if (finished) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    }
    if (progress.status === "failed") {
      bar.classList.add("bg-danger");
      root.querySelector("[data-role=error]").textContent = progress.error || "";
    }
    return finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (progress) {
        if (!show(progress)) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  // The server's figure, set here: a style="" attribute would break the Content-Security-Policy.
  var start = Number(bar.parentNode.getAttribute("data-percent")) || 0;
  bar.style.width = start + "%";

  var initial = root.querySelector("[data-role=status-done]").hidden &&
    root.querySelector("[data-role=status-failed]").hidden;
  if (initial) { window.setTimeout(poll, 500); }
})();
