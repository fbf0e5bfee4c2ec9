// Filters sit in <details class="fold" open>: open on a desktop, folded behind one
// button on a phone so the list comes first. Without JavaScript they stay open.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 767px)").matches) {
    return;
  }
  document.querySelectorAll("details.fold[open]").forEach(function (fold) {
    fold.removeAttribute("open");
  });
})();
