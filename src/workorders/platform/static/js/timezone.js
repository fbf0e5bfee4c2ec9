/* workorders: tell the server the browser's time zone, so pages show local times.
 * Sets the wo_tz cookie (read by web/display.py), and on the booking form picks
 * the browser's zone in the time zone select when the person has not chosen one. */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
    return;
  }
  var current = document.cookie.split("; ").filter(function (c) {
    return c.indexOf("wo_tz=") === 0;
  })[0];
  if (current !== "wo_tz=" + encodeURIComponent(zone)) {
    document.cookie = "wo_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }
  var select = document.getElementById("timezone");
  // only on a fresh form: a form sent back with errors keeps the zone the person chose
  if (select && !document.querySelector(".field-error, [role=alert]")) {
    var exists = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!exists) {
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.replace(/_/g, " ");
      select.insertBefore(option, select.firstChild);
    }
    select.value = zone;
  }
})();
