/* "Print this page": the button is hidden until this script shows it, so without JavaScript
   nobody sees a button that does nothing (the browser's own Print still works). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
