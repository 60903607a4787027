/* The base console: small enhancements. Every page works without this file. */
(function () {
  "use strict";

  // A refusal (409) or a form with errors (400/422) comes back as a page to show, not a failure.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a swap, put the reader where the news is: the error, the refusal or the message.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById("error-summary") || document.querySelector(".refusal h2, .notice");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  function showPartsForMode(form) {
    var mode = form.querySelector("select[name=mode], input[type=hidden][name=mode]");
    if (!mode) return;
    form.querySelectorAll("[data-modes]").forEach(function (part) {
      part.hidden = part.getAttribute("data-modes").split(" ").indexOf(mode.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".tour-form select[name=mode]")) {
      showPartsForMode(event.target.form);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tour-form").forEach(showPartsForMode);
    // The print button needs script: it only appears when script runs.
    document.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
  });
})();
