// Behaviour shared by every page, kept out of the markup so that a strict Content-Security-Policy
// (no inline scripts or handlers) can be set:
//   <form data-confirm="Question?">   asks before submitting; Cancel keeps the page as it is
//   <select data-autosubmit>          submits its form when the choice changes (the language switcher)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
