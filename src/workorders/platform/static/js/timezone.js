/* workorders: tell the server the browser's time zone.
 * Sets the wo_tz cookie (read by web/display.py). Pages show times in the tenant's
 * zone; the booking form defaults to it too and offers the browser's zone as a
 * choice, added here when the server did not know it yet (before the cookie). */
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
  if (select) {
    var exists = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!exists) {
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.replace(/_/g, " ");
      select.insertBefore(option, select.options[1] || null);
    }
  }
})();
