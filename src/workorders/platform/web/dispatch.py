"""The dispatch week: one row per technician, a column per day, the cases as
blocks in their windows and the unassigned work beside them (issue 15).

Who may do what (decided here, documented in docs/pages.md "Dispatch"):
everyone in the workspace may *look* at the week (a technician sees where the
team is; the page is read-only for them, with no drag handles and no Move
forms); moving and assigning is the coordinator's and admin's, as booking is,
and ``POST /dispatch/move`` answers 403 to anyone else.

Moves go through ``services.cases.update_case`` with the case version the page
was drawn from, so a move made on a stale page is refused (412) and changes
nothing. The same route serves the drag script (``Accept: application/json``,
a JSON answer) and the Move form that works without JavaScript (a redirect
back to the week, or the week again with the refusal in words).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for

from workorders.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
    WorkordersError,
)
from workorders.platform.actor import Actor
from workorders.platform.auth import current_actor
from workorders.platform.problems import status_of_error
from workorders.platform.services.cases import BOOKERS, update_case
from workorders.platform.services.dispatch import (
    BadWeek,
    lay_out,
    local_datetime,
    parse_week,
    week_blocks,
    week_label,
)
from workorders.platform.web import web
from workorders.platform.web.display import display_zone
from workorders.platform.web.lookups import current_bundle, people, technicians

STALE = ("Someone changed this case after this page was loaded, so nothing was moved. "
         "The week below shows where it is now; move it again if you still want to.")


def _render_week(actor: Actor, week: str | None, case_type: str | None,
                 error: str | None = None, status: int = 200) -> Any:
    zone = display_zone()
    today = datetime.now(zone).date()
    bundle = current_bundle(actor)
    case_types = list(bundle.case_types) if bundle is not None else []
    try:
        monday = parse_week(week, today)
    except BadWeek as exc:
        return render_template("error.html", status=400, title="Not a week",
                               detail=str(exc)), 400
    if case_type and case_type not in {ct.id for ct in case_types}:
        names = ", ".join(ct.name for ct in case_types) or "none yet"
        return render_template("error.html", status=400, title="Unknown case type",
                               detail=f"There is no case type “{case_type[:40]}” to filter by. "
                                      f"The case types are: {names}."), 400
    techs = technicians(actor)
    blocks, capped = week_blocks(actor, bundle, monday, zone, case_type or None)
    others = {p.user_id: p.name for p in people(actor)}
    layout = lay_out(monday, [(t.user_id, t.email, t.name) for t in techs], blocks, others)
    layout.capped = capped
    return render_template(
        "dispatch.html", week=layout, techs=techs, case_types=case_types,
        case_type=case_type or "", today=today, error=error,
        can_move=actor.has_any(*BOOKERS),
        prev_week=week_label(monday - timedelta(days=7)),
        next_week=week_label(monday + timedelta(days=7)),
        this_week=week_label(today - timedelta(days=today.weekday())),
        zone_name=zone.key), status


@web.get("/dispatch")
def dispatch() -> Any:
    actor = current_actor()
    return _render_week(actor, request.args.get("week"), request.args.get("case_type"))


def _wants_json() -> bool:
    return "application/json" in (request.headers.get("Accept") or "")


def _int_field(name: str, words: str) -> int:
    raw = (request.form.get(name) or "").strip()
    if not raw.isdigit():
        raise ValidationFailed(f"the move is missing {words}; reload the page and try again")
    return int(raw)


def _plain(err: WorkordersError) -> str:
    if isinstance(err, PreconditionFailed):
        return STALE
    if isinstance(err, ValidationFailed) and err.errors:
        return " ".join(_sentence(str(e.get("message", ""))) for e in err.errors)
    return _sentence(err.message)


def _sentence(text: str) -> str:
    """The services' messages are lower-case clauses; the page says them as sentences."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@web.post("/dispatch/move")
def dispatch_move() -> Any:
    """Move or (un)assign one case: fields case_id, version, assignee (email or
    empty for unassigned), start and end (the display zone's wall clock)."""
    actor = current_actor()
    week = request.form.get("week") or None
    case_type = request.form.get("case_type") or None
    try:
        if not actor.has_any(*BOOKERS):
            raise Forbidden("moving cases on the dispatch board needs the coordinator "
                            "or admin role; technicians see the week without changing it")
        case_id = _int_field("case_id", "the case")
        version = _int_field("version", "the case version")
        zone = display_zone()
        changes: dict[str, Any] = {
            "assignee": (request.form.get("assignee") or "").strip().lower() or None,
            "scheduled_start": local_datetime(request.form.get("start"), zone),
            "scheduled_end": local_datetime(request.form.get("end"), zone),
        }
        if changes["scheduled_start"] is None and changes["scheduled_end"] is not None:
            raise ValidationFailed("a window needs its start", [{
                "path": "/scheduled_start", "message": "give the start as well as the end"}])
        case = update_case(actor, case_id, changes, expected_version=version)
    except WorkordersError as err:
        status = status_of_error(err)[0]
        if _wants_json():
            return jsonify({"ok": False, "message": _plain(err)}), status
        if isinstance(err, Forbidden | NotFound):
            raise
        return _render_week(actor, week, case_type, error=_plain(err), status=status)
    zone = display_zone()
    moved_week = (week_label(case.scheduled_start.astimezone(zone).date())
                  if case.scheduled_start is not None else week)
    message = f"Moved {case.number}."
    if _wants_json():
        return jsonify({"ok": True, "message": message, "version": case.version,
                        "week": moved_week})
    flash(message, "success")
    return redirect(url_for("web.dispatch", week=moved_week, case_type=case_type))
