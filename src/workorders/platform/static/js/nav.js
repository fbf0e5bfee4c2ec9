// The main menu on a phone (issue 15): below 768 px the links fold behind one
// "Menu" button so the page starts under a one-line bar instead of ~400 px of
// links. The server renders the menu open and the button hidden, so without
// JavaScript every link stays reachable; desktops never see the button.
(function () {
  "use strict";
  var button = document.querySelector("button.nav-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !menu) {
    return;
  }
  var phone = window.matchMedia("(max-width: 767.98px)");

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("nav-collapsed", !open);
  }

  function fit() {
    // a phone starts folded; turning it sideways into desktop width opens the menu
    button.hidden = !phone.matches;
    show(!phone.matches);
  }

  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    // Escape folds an open menu and gives focus back to its button
    if (event.key === "Escape" && phone.matches && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
  if (phone.addEventListener) {
    phone.addEventListener("change", fit);
  }
  fit();
})();
