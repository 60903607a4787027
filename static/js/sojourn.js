/* Sojourn: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // "Show the password as I type": easier for older users than typing it twice.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-show-password]")) return;
    var form = box.form || document;
    form.querySelectorAll("input[type=password], input[data-was-password]").forEach(function (field) {
      field.setAttribute("data-was-password", "");
      field.type = box.checked ? "text" : "password";
    });
  });

  // Send focus to the error summary so screen readers announce it after a failed submit.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
