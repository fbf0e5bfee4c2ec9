// "Tick all" for the queue's and the inbox's bulk forms. Without JavaScript the
// button stays hidden and each row's checkbox still works with the form.
// A link to one row (the case page's "#exception-12") also unfolds that row's
// details, so its message and resolve form are there without another click.
(function () {
  "use strict";
  var unfoldTarget = function () {
    var id = window.location.hash.slice(1);
    var row = id ? document.getElementById(id) : null;
    var details = row && row.classList.contains("queue-row")
      ? row.querySelector("details.qi-details") : null;
    if (details) { details.open = true; }
  };
  unfoldTarget();
  window.addEventListener("hashchange", unfoldTarget);
  document.querySelectorAll("button[data-tick-all]").forEach(function (button) {
    var formId = button.getAttribute("data-tick-all");
    var boxes = function () {
      return Array.prototype.slice.call(
        document.querySelectorAll('input[type=checkbox][name=ids][form="' + formId + '"]'));
    };
    var label = function () {
      var all = boxes();
      var every = all.length > 0 && all.every(function (b) { return b.checked; });
      button.textContent = every ? "Untick all" : "Tick all";
      return every;
    };
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      var every = label();
      boxes().forEach(function (b) { b.checked = !every; });
      label();
    });
    document.addEventListener("change", function (event) {
      if (event.target && event.target.name === "ids") { label(); }
    });
  });
})();
