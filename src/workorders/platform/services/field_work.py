"""The technician's day: "On my way" and the work timer, for pages and the API alike.

Both are case events in the audit trail (no table of their own): ``on_my_way``
records that the assigned technician has set off and fires the rule trigger of
the same name (a rule may text the customer); ``work_timer_started`` and
``work_timer_stopped`` bracket a stretch of work (the start is the event's
time). The timer's state is read back from those events, so it survives a
reload and shows on another device. Stopping it
adds a time row (the day, the hours rounded to a quarter) to the draft of the
case's first form with time lines, where the technician sees it prefilled.

Only the assigned technician may do either: they speak for the person on the
road and on the job (a coordinator books, assigns and moves cases instead).
Each checks the client's expected case version like every other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from workorders.definitions.formatting import Formatting
from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import CaseType, Form
from workorders.definitions.money import decimal_text
from workorders.errors import Conflict, Forbidden, ValidationFailed
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import AuditEvent
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.cases import _locked
from workorders.platform.services.submissions import FINAL_KINDS, latest_revision, submit_form
from workorders.platform.services.unit_of_work import transaction

ON_MY_WAY = "on_my_way"
#: event names that read as words in the case's history ("Work timer started")
TIMER_START = "work_timer_started"
TIMER_STOP = "work_timer_stopped"
TIMER_ACTIONS = ("start", "stop")
#: stopped time is written in quarter hours (the report's hours have no step of their own)
HOURS_STEP = Decimal("0.25")
NOT_ASSIGNED = "only the technician this case is assigned to can do this"


@dataclass(frozen=True)
class TimerState:
    """The actor's running timer on a case (``started_at`` None: not running)."""
    started_at: datetime | None

    @property
    def running(self) -> bool:
        return self.started_at is not None


@dataclass(frozen=True)
class Stopped:
    hours: Decimal
    form: Form | None
    revision: int | None
    problem: str | None = None


def _steps_to_done(case_type: CaseType, state_id: str) -> int | None:
    """How many transitions separate ``state_id`` from the nearest work-complete state."""
    life = case_type.lifecycle
    seen, frontier, steps = {state_id}, [state_id], 0
    while frontier:
        if any(is_work_complete_or_later(case_type, s) for s in frontier):
            return steps
        steps += 1
        nxt = [t.to for s in frontier for t in life.transitions_from(s) if t.to not in seen]
        seen.update(nxt)
        frontier = nxt
    return None


def work_not_started(case_type: CaseType, state_id: str) -> bool:
    """Before the work: at least two steps from a work-complete state (Scheduled is,
    In progress, one step from Work done, is not) and not final."""
    state = case_type.lifecycle.state(state_id)
    if state is None or state.final:
        return False
    steps = _steps_to_done(case_type, state_id)
    return steps is not None and steps >= 2


def _is_assignee(actor: Actor, loaded: LoadedCase) -> bool:
    return actor.has_any("technician") and loaded.case.assignee_id == actor.user_id


def on_my_way_offered(actor: Actor, loaded: LoadedCase) -> bool:
    """Whether the page shows "On my way" (the service decides again)."""
    return (loaded.case_type.lifecycle.on_my_way and _is_assignee(actor, loaded)
            and work_not_started(loaded.case_type, loaded.case.status))


def last_on_my_way(case_id: int, tenant_id: int) -> AuditEvent | None:
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                 AuditEvent.subject_type == "case",
                                 AuditEvent.subject_id == case_id,
                                 AuditEvent.action == ON_MY_WAY)
        .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()


def say_on_my_way(actor: Actor, case_id: int, expected_version: int | None) -> LoadedCase:
    """Record "on my way" and run the ``on_my_way`` rules in the same transaction."""
    from workorders.platform.services.rules_runtime import run_rules

    with transaction() as session:
        loaded = _locked(actor, case_id, expected_version)
        if not loaded.case_type.lifecycle.on_my_way:
            raise Conflict(f"'{loaded.case_type.name}' cases do not use On my way")
        if not _is_assignee(actor, loaded):
            raise Forbidden(NOT_ASSIGNED)
        if not work_not_started(loaded.case_type, loaded.case.status):
            state = loaded.case_type.lifecycle.state(loaded.case.status)
            raise Conflict("the work on this case has already started or is finished "
                           f"({state.label if state else loaded.case.status})")
        case = loaded.case
        case.version += 1
        case.updated_at = utcnow()
        record_event(session, tenant_id=case.tenant_id, subject_type="case", subject_id=case.id,
                     actor=actor.email, action=ON_MY_WAY)
        run_rules(session, actor, loaded, ON_MY_WAY)
    return loaded


def timer_state(actor: Actor, case_id: int) -> TimerState:
    """The actor's timer on the case, from their last timer event."""
    last = db.session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == actor.tenant_id,
                                 AuditEvent.subject_type == "case",
                                 AuditEvent.subject_id == case_id,
                                 AuditEvent.actor == actor.email,
                                 AuditEvent.action.in_((TIMER_START, TIMER_STOP)))
        .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()
    if last is None or last.action != TIMER_START:
        return TimerState(None)
    return TimerState(last.at)


def time_form(loaded: LoadedCase) -> Form | None:
    """The case's first form with time lines: where stopped time is written."""
    return next((f for f in loaded.bundle.forms_of(loaded.case_type.id)
                 if any(fd.type == "time_entries" for fd in f.fields)), None)


def rounded_hours(seconds: float) -> Decimal:
    """Hours to the nearest quarter, at least one quarter (a started job took time)."""
    quarters = (Decimal(str(seconds)) / 3600 / HOURS_STEP).quantize(Decimal(1), ROUND_HALF_UP)
    return max(quarters, Decimal(1)) * HOURS_STEP


def hours_text(hours: Decimal) -> str:
    """``1.25``, ``2`` (not ``2.00``): how the report's hours are written."""
    return decimal_text(hours.normalize())


def _timer_check(actor: Actor, loaded: LoadedCase) -> None:
    if not _is_assignee(actor, loaded):
        raise Forbidden(NOT_ASSIGNED)
    state = loaded.case_type.lifecycle.state(loaded.case.status)
    if state is None or state.final or is_work_complete_or_later(loaded.case_type,
                                                                  loaded.case.status):
        raise Conflict("the work on this case is finished; the timer is for work in progress")


def start_timer(actor: Actor, case_id: int, expected_version: int | None) -> TimerState:
    with transaction() as session:
        loaded = _locked(actor, case_id, expected_version)
        _timer_check(actor, loaded)
        if timer_state(actor, case_id).running:
            raise Conflict("the timer is already running")
        now = utcnow()  # the event's own time is the start (read back by timer_state)
        loaded.case.version += 1
        loaded.case.updated_at = now
        record_event(session, tenant_id=actor.tenant_id, subject_type="case",
                     subject_id=case_id, actor=actor.email, action=TIMER_START)
    return TimerState(now)


def _with_row(form: Form, data: dict[str, Any], row: dict[str, str]) -> dict[str, Any]:
    field = next(fd for fd in form.fields if fd.type == "time_entries")
    if field.labor:  # the form's first work type, as the page fills a row it is typed in
        row = {**row, "labor": field.labor[0]}
    return {**data, field.id: [*(data.get(field.id) or []), row]}


def local_today(loaded: LoadedCase) -> date:
    """Today in the tenant's time zone (the bundle's ``timezone``), the day pages show."""
    return datetime.now(Formatting(timezone=loaded.bundle.timezone).zone).date()


def stop_timer(actor: Actor, case_id: int, expected_version: int | None,
               today: date | None = None) -> Stopped:
    """Stop the timer; the time goes into the time form's draft as a new row.

    The stop is recorded first (its own transaction): if the draft cannot take
    the row (the report was already submitted), the hours are still in the
    history and the answer says where to put them."""
    with transaction() as session:
        loaded = _locked(actor, case_id, expected_version)
        if not _is_assignee(actor, loaded):
            raise Forbidden(NOT_ASSIGNED)
        running = timer_state(actor, case_id)
        if running.started_at is None:
            raise Conflict("the timer is not running")
        now = utcnow()
        hours = rounded_hours((now - running.started_at).total_seconds())
        loaded.case.version += 1
        loaded.case.updated_at = now
        record_event(session, tenant_id=actor.tenant_id, subject_type="case",
                     subject_id=case_id, actor=actor.email, action=TIMER_STOP,
                     after={"hours": hours_text(hours)})
    loaded = load_case(actor, case_id)
    form = time_form(loaded)
    if form is None:
        return Stopped(hours, None, None, "this case has no form with time lines")
    latest = latest_revision(loaded.case, form.id)
    if latest is not None and latest.kind in FINAL_KINDS:
        return Stopped(hours, form, None, f"'{form.title}' is already submitted; correct it "
                                          "to add the time")
    row = {"date": (today or local_today(loaded)).isoformat(), "hours": hours_text(hours)}
    try:
        result = submit_form(actor, case_id, form.id,
                             _with_row(form, dict(latest.data) if latest else {}, row),
                             draft=True)
    except (ValidationFailed, Conflict) as err:
        return Stopped(hours, form, None, f"the draft of '{form.title}' could not take the "
                                          f"time: {err.message}")
    return Stopped(hours, form, result.submission.revision)
