// Badge print job page: polls the job's progress and shows the download button when it is done.
(function () {
  "use strict";
  var root = document.getElementById("badge-job");
  if (!root) { return; }
  var messages = JSON.parse(document.getElementById("badge-job-messages").textContent);
  var bar = root.querySelector("[data-role=bar]");
  var count = root.querySelector("[data-role=count]");

  function show(progress) {
    window.MoveJobs.setBar(bar, progress.percent);
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

  bar.style.width = (Number(bar.parentNode.getAttribute("data-percent")) || 0) + "%";  // the server's figure
  var initial = root.querySelector("[data-role=status-done]").hidden &&
    root.querySelector("[data-role=status-failed]").hidden;
  if (initial) { window.MoveJobs.poll(root.getAttribute("data-progress-url"), show, function () {}); }
})();
