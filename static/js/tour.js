/* Sojourn tour page: live availability. The calendar already refreshes itself through htmx
   (polling); when the server offers a stream of capacity changes (Redis channels), listen to it
   and refresh at once. Without this file the page shows what was free when it loaded. */
(function () {
  "use strict";

  var source = null;

  function listen() {
    var grid = document.querySelector("[data-capacity-stream]");
    if (!grid || source || typeof window.EventSource === "undefined") return;
    source = new EventSource(grid.getAttribute("data-capacity-stream"));
    source.addEventListener("capacity", function () {
      document.body.dispatchEvent(new CustomEvent("capacity-changed"));
    });
    // The browser reconnects by itself after a drop; nothing to do on "error".
  }

  document.addEventListener("DOMContentLoaded", listen);
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
      source = null;
    }
  });
})();
