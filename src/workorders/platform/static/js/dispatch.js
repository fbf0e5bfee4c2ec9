/* The dispatch week's drag and drop (templates/dispatch.html).
 *
 * A block is dragged onto a technician's day (a cell with data-drop, its
 * technician's email and its date) or onto the unassigned list (data-drop with
 * an empty assignee). Dropping on a day keeps the case's time of day and its
 * duration; an unscheduled case dropped on a day gets 08:00 and two hours.
 * Dropping on the unassigned list keeps the window and clears the technician.
 *
 * Mouse: the HTML5 drag events. Touch and pen: a pointer fallback (pointerdown
 * on the block, pointerup over a drop target), since phones and tablets do not
 * fire HTML5 drags. Either way the move is one POST to /dispatch/move with the
 * CSRF header and the case version the page was drawn from; the server answers
 * in JSON. Success reloads the week; a refusal (a stale page, a bad window) is
 * said in words in the status line and nothing moves. Without this script
 * every block still has its Move form.
 */
(function () {
  "use strict";

  var root = document.querySelector(".dispatch[data-move-url]");
  if (!root) { return; }
  var status = document.getElementById("dispatch-status");
  var DEFAULT_START = "08:00";
  var DEFAULT_MINUTES = 120;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* "2026-12-03T08:00" <-> a Date read as wall-clock time (no zone maths: the
     page's times are already the display zone's wall clock). */
  function parse(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text || "");
    if (!m) { return null; }
    return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  }
  function format(d) {
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function newWindow(block, target) {
    var start = parse(block.dataset.start);
    var end = parse(block.dataset.end);
    var day = target.dataset.date;
    if (!day) { return { start: block.dataset.start, end: block.dataset.end }; }
    var time = start ? format(start).slice(11) : DEFAULT_START;
    var newStart = parse(day + "T" + time);
    var minutes = start && end ? (end - start) / 60000 : (start ? 0 : DEFAULT_MINUTES);
    var newEnd = start && !end ? null : new Date(newStart.getTime() + minutes * 60000);
    return { start: format(newStart), end: newEnd ? format(newEnd) : "" };
  }

  function say(text) { if (status) { status.textContent = text; } }

  function move(block, target) {
    var assignee = target.dataset.assignee || "";
    var win = newWindow(block, target);
    if (assignee === (block.dataset.assignee || "") && win.start === block.dataset.start) {
      return; /* dropped where it was */
    }
    var body = new FormData();
    body.append("case_id", block.dataset.case);
    body.append("version", block.dataset.version);
    body.append("assignee", assignee);
    body.append("start", win.start || "");
    body.append("end", win.end || "");
    body.append("week", root.dataset.week);
    body.append("case_type", root.dataset.caseType || "");
    say("Moving " + block.dataset.number + "…");
    fetch(root.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" }
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: false }; }).then(function (data) {
        if (resp.ok && data.ok) {
          say(data.message || "Moved.");
          window.location.reload();
        } else {
          say(data.message || "The case could not be moved; reload the page and try again.");
        }
      });
    }).catch(function () {
      say("The case could not be moved: the server did not answer. Check the connection and try again.");
    });
  }

  function dropTarget(el) { return el && el.closest ? el.closest("[data-drop]") : null; }
  function clearOver() {
    document.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
  }

  /* HTML5 drag and drop (mouse) */
  var dragged = null;
  document.addEventListener("dragstart", function (ev) {
    var block = ev.target.closest && ev.target.closest(".dispatch-block[draggable='true']");
    if (!block) { return; }
    dragged = block;
    block.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", block.dataset.number);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    clearOver();
  });
  document.addEventListener("dragover", function (ev) {
    var target = dropTarget(ev.target);
    if (!dragged || !target) { return; }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    clearOver();
    target.classList.add("drop-over");
  });
  document.addEventListener("drop", function (ev) {
    var target = dropTarget(ev.target);
    if (!dragged || !target) { return; }
    ev.preventDefault();
    var block = dragged;
    clearOver();
    move(block, target);
  });

  /* pointer fallback (touch, pen): press on a block, lift over a day */
  var pressed = null;
  document.addEventListener("pointerdown", function (ev) {
    if (ev.pointerType === "mouse") { return; }
    if (ev.target.closest("a, summary, form")) { return; }
    var block = ev.target.closest(".dispatch-block[draggable='true']");
    if (!block) { return; }
    pressed = block;
    block.classList.add("dragging");
  });
  document.addEventListener("pointermove", function (ev) {
    if (!pressed) { return; }
    clearOver();
    var target = dropTarget(document.elementFromPoint(ev.clientX, ev.clientY));
    if (target) { target.classList.add("drop-over"); }
  });
  document.addEventListener("pointerup", function (ev) {
    if (!pressed) { return; }
    var block = pressed;
    pressed = null;
    block.classList.remove("dragging");
    clearOver();
    var target = dropTarget(document.elementFromPoint(ev.clientX, ev.clientY));
    if (target && !block.contains(target)) { move(block, target); }
  });
  document.addEventListener("pointercancel", function () {
    if (pressed) { pressed.classList.remove("dragging"); }
    pressed = null;
    clearOver();
  });
}());
