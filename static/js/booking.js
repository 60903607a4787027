/* Sojourn booking steps: the hold countdown (WCAG 2.2.1 Timing Adjustable).
   The page already says until when the beds are held and has a "More time" button; this file
   adds a clock that ticks every second (hidden from screen readers), keeps the minutes in the
   role="timer" text, speaks at 5, 2 and 1 minutes through a polite live region (never every
   second), turns the box into a warning from 2 minutes, and marks it when time is up.
   "More time" is posted by htmx, which swaps in a fresh box; it is picked up again here. */
(function () {
  "use strict";

  var MILESTONES = [5, 2, 1];

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function start(box) {
    if (!box || box.getAttribute("data-started")) return;
    var expires = Date.parse(box.getAttribute("data-expires-at"));
    var serverNow = Date.parse(box.getAttribute("data-now"));
    if (isNaN(expires)) return;
    box.setAttribute("data-started", "1");
    // Trust the server's clock: the browser's may be off by minutes.
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var warnAt = parseInt(box.getAttribute("data-warn-seconds") || "120", 10);
    var clock = box.querySelector("[data-clock]");
    var minutes = box.querySelector("[data-minutes]");
    var announce = box.querySelector("[data-announce]");
    var spoken = {};
    var lastMinuteText = minutes ? minutes.textContent : "";

    function left() {
      return Math.max(0, Math.round((expires - (Date.now() + skew)) / 1000));
    }
    // Milestones already behind us when the page opened are not spoken late.
    var initial = left();
    MILESTONES.forEach(function (m) {
      if (initial <= m * 60) spoken[m] = true;
    });

    function say(text) {
      if (!announce || !text) return;
      announce.textContent = "";
      window.setTimeout(function () {
        announce.textContent = text;
      }, 50);
    }

    function tick() {
      if (!document.body.contains(box)) return; // replaced by a fresh box (more time)
      var seconds = left();
      if (clock) clock.textContent = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
      if (minutes) {
        var text = seconds < 60
          ? box.getAttribute("data-text-one-minute")
          : box.getAttribute("data-text-minutes").replace("{n}", String(Math.ceil(seconds / 60)));
        if (text !== lastMinuteText) {
          minutes.textContent = text;
          lastMinuteText = text;
        }
      }
      MILESTONES.forEach(function (m) {
        if (!spoken[m] && seconds <= m * 60) {
          spoken[m] = true;
          say(box.getAttribute("data-say-" + m));
        }
      });
      box.classList.toggle("warning", seconds > 0 && seconds <= warnAt);
      if (seconds <= 0) {
        box.classList.add("expired");
        box.classList.remove("warning");
        say(box.getAttribute("data-say-0"));
        document.querySelectorAll("form[data-needs-hold] button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
        return;
      }
      window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    }
    tick();
  }

  function startAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.id === "hold-countdown") start(scope);
    scope.querySelectorAll("#hold-countdown").forEach(start);
  }

  document.addEventListener("DOMContentLoaded", function () {
    startAll(document);
  });
  // htmx swapped in a new box after "More time": start its clock, keep focus on the button.
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = document.getElementById("hold-countdown");
    if (!box) return;
    startAll(box);
    if (event.detail && event.detail.target && event.detail.target.id === "hold-countdown") {
      var button = box.querySelector("[data-more-time]");
      (button || box).focus();
      var announce = box.querySelector("[data-announce]");
      if (announce && announce.textContent) {
        var text = announce.textContent;
        announce.textContent = "";
        window.setTimeout(function () {
          announce.textContent = text;
        }, 100);
      }
    }
  });
})();
