/* workorders: the editor's simulation panel without leaving the page.
 *
 * The "Simulate" form posts with fetch and puts the answered fragment in place of the
 * panel; while a background simulation runs, the fragment carries data-poll-url and is
 * fetched again every few seconds until it is done. Without JavaScript the form posts
 * normally and the simulation page refreshes itself (meta refresh) instead.
 * No inline scripts or styles (the CSP forbids them).
 */
(function () {
  "use strict";

  var timers = [];

  function replace(panel, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("[data-testid=panel-simulate-body]");
    if (!fresh) { return null; }
    panel.replaceWith(fresh);
    return fresh;
  }

  function poll(panel) {
    var url = panel.getAttribute("data-poll-url");
    if (!url) { return; }
    var seconds = parseInt(panel.getAttribute("data-poll-seconds") || "2", 10);
    timers.push(window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
        .then(function (html) {
          var fresh = replace(panel, html);
          if (fresh) { poll(fresh); }
        }, function () { poll(panel); });
    }, Math.max(1, seconds) * 1000));
  }

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-testid=panel-simulate-body][data-poll-url]"), poll);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-simulate-form]")) { return; }
    event.preventDefault();
    var panel = form.closest("[data-testid=panel-simulate-body]");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-busy", "true"); button.disabled = true; }
    var url = form.action + (form.action.indexOf("?") < 0 ? "?" : "&") + "fragment=1";
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "Accept": "text/html" } })
      .then(function (resp) { return resp.text(); })
      .then(function (html) {
        var fresh = replace(panel, html);
        if (fresh) { poll(fresh); } else { form.submit(); }
      }, function () { form.submit(); });
  });

  document.addEventListener("panel:refreshed", scan);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
