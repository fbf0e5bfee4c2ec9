/* workorders: the case page's running work timer shows how long it has run.
 * The server keeps the timer (case events); this only counts up on screen from the
 * start time the page was given. No inline scripts (CSP): loaded from case.html. */
(function () {
  "use strict";
  var since = document.querySelector("[data-timer-since]");
  var out = document.querySelector("[data-timer-elapsed]");
  if (!since || !out) { return; }
  var start = Date.parse(since.getAttribute("datetime"));
  if (isNaN(start)) { return; }
  function show() {
    var minutes = Math.max(0, Math.floor((Date.now() - start) / 60000));
    var hours = Math.floor(minutes / 60);
    out.textContent = "Running for " + (hours ? hours + " h " : "") + (minutes % 60) + " min.";
  }
  show();
  window.setInterval(show, 30000);
})();
