// Scheduler job page: polls the job's progress; when it has finished (done or failed), reloads the page,
// which then shows the result. Without JavaScript a <noscript> meta refresh reloads it every few seconds.
(function () {
  "use strict";
  var root = document.getElementById("scheduler-job");
  if (!root) { return; }
  var bar = root.querySelector("[data-role=bar]");
  var phases = root.querySelectorAll("[data-phase]");

  function show(progress) {
    window.MoveJobs.setBar(bar, progress.percent);
    Array.prototype.forEach.call(phases, function (item) {
      var current = progress.status === "running" && item.getAttribute("data-phase") === progress.phase;
      item.classList.toggle("fw-bold", current);
      item.classList.toggle("text-body-secondary", !current);
    });
    return progress.status === "done" || progress.status === "failed";
  }

  window.MoveJobs.setBar(bar, Number(bar.parentNode.getAttribute("data-percent")) || 0);
  var status = root.getAttribute("data-status");
  if (status === "queued" || status === "running") {
    window.MoveJobs.poll(root.getAttribute("data-progress-url"), show, function () { window.location.reload(); });
  }
})();
