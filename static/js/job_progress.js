// What the job pages share (badge_job.js, scheduler_job.js): the progress bar and the polling loop.
window.MoveJobs = (function () {
  "use strict";

  // The bar's width is set here, not in a style="" attribute: the Content-Security-Policy forbids those.
  function setBar(bar, percent) {
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(percent));
  }

  // Asks url for the job's progress every second (every 5 s after an error) and gives it to show(),
  // until show() says the job has finished; then calls finished(progress).
  function poll(url, show, finished) {
    function look() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (progress) {
          if (show(progress)) { finished(progress); } else { window.setTimeout(look, 1000); }
        })
        .catch(function () { window.setTimeout(look, 5000); });
    }
    window.setTimeout(look, 500);
  }

  return { setBar: setBar, poll: poll };
})();
