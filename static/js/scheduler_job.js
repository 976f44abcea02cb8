// Scheduler job page: polls the job's progress; when it has finished (done or failed), reloads the page,
// which then shows the result. Without JavaScript a <noscript> meta refresh reloads it every few seconds.
(function () {
  "use strict";
  var root = document.getElementById("scheduler-job");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");
  var bar = root.querySelector("[data-role=bar]");
  var phases = root.querySelectorAll("[data-phase]");

  function setPercent(percent) {
    bar.style.width = percent + "%";  // here, not in a style="" attribute: the CSP forbids inline styles
    bar.textContent = percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(percent));
  }

  function show(progress) {
    setPercent(progress.percent);
    Array.prototype.forEach.call(phases, function (item) {
      var current = progress.status === "running" && item.getAttribute("data-phase") === progress.phase;
      item.classList.toggle("fw-bold", current);
      item.classList.toggle("text-body-secondary", !current);
    });
    return progress.status === "done" || progress.status === "failed";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (progress) {
        if (show(progress)) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  setPercent(Number(bar.parentNode.getAttribute("data-percent")) || 0);
  var status = root.getAttribute("data-status");
  if (status === "queued" || status === "running") { window.setTimeout(poll, 500); }
})();
