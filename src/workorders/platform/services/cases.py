"""Cases: book, change, assign and move them along their lifecycle.

Each use case is one transaction that locks the case row, checks the client's
expected version (``If-Match``), applies the change, bumps ``version`` and
appends audit events to the case's hash chain. Two concurrent writers to one
case serialise on the lock; the loser sees the new state (409 or 412).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, join, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workorders.definitions import lifecycle
from workorders.definitions.vocabulary import PREVIOUS_KEYS, RESCHEDULE
from workorders.errors import Conflict, Forbidden, PreconditionFailed, ValidationFailed
from workorders.forms import validate_submission
from workorders.forms.words import with_place
from workorders.platform.actor import Actor
from workorders.platform.core_insert import insert_now
from workorders.platform.extensions import db
from workorders.platform.models import (
    Case,
    CaseCounter,
    DefinitionVersion,
    Membership,
    User,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import (
    LoadedCase,
    case_fields_form,
    load_case,
    remember_new,
    snapshot_for,
)
from workorders.platform.services.case_input import (
    check_window,
    checked_customer,
    clean_mapping,
    parse_datetime,
)
from workorders.platform.services.definitions import (
    CURRENT_VERSION,
    bundle_of,
    current_version,
)
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.submissions import final_forms_of
from workorders.platform.services.transitions import apply_transition, run_transition_rules
from workorders.platform.services.unit_of_work import transaction

BOOKERS = ("coordinator", "admin")


def _require_booker(actor: Actor) -> None:
    if not actor.has_any(*BOOKERS):
        raise Forbidden("booking and changing cases needs the coordinator or admin role")


def _next_number_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(CaseCounter).values(tenant_id=bindparam("tenant_id"), prefix=bindparam("prefix"),
                                      year=bindparam("year"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[CaseCounter.tenant_id, CaseCounter.prefix, CaseCounter.year],
        set_={"last": CaseCounter.last + 1}).returning(CaseCounter.last)


#: per dialect, built once: a booking's statements are built at import, not per request
_NEXT_NUMBER = {dialect: _next_number_statement(dialect) for dialect in ("postgresql", "sqlite")}
_TECHNICIAN = select(Membership.roles, User).join(User).where(
    Membership.tenant_id == bindparam("tenant_id"), User.email == bindparam("email"))


def next_case_number(session: Session, tenant_id: int, prefix: str, year: int) -> str:
    """Gap-free per tenant, prefix and year, in one statement: the counter row is
    created or moved on and its new value read back at once. Its row lock lasts
    to the booking's commit (a rolled-back booking gives its number back), so the
    booking takes it last, after everything that can be checked before."""
    dialect = session.get_bind().dialect.name
    last = session.connection().execute(_NEXT_NUMBER[dialect], {
        "tenant_id": tenant_id, "prefix": prefix, "year": year}).scalar_one()
    return f"{prefix}-{year}-{last:05d}"


#: a booking's published version and the person it names as assignee, with their
#: roles in the version's tenant, in one statement (a booking's hottest reads)
_VERSION_AND_ASSIGNEE = CURRENT_VERSION.add_columns(Membership.roles, User).outerjoin(
    join(Membership, User, (User.id == Membership.user_id) & (User.email == bindparam("email"))),
    Membership.tenant_id == DefinitionVersion.tenant_id)


def _normal_email(email: str) -> str:
    return str(email).strip().lower()


def technician_by_email(tenant_id: int, email: str | None, path: str = "/assignee") -> User | None:
    if email in (None, ""):
        return None
    found = db.session.execute(_TECHNICIAN, {
        "tenant_id": tenant_id, "email": _normal_email(email)}).one_or_none()
    return _technician(email, found[0] if found else None, found[1] if found else None, path)


def _technician(email: str, roles: list[str] | None, person: User | None,
                path: str = "/assignee") -> User:
    if person is None or "technician" not in (roles or ()):
        raise ValidationFailed("the assignee must be a technician of this workspace", [{
            "path": path, "message": with_place(path, f"{email} is not a technician here")}])
    return person


def _version_and_assignee(tenant_id: int, email: str | None) -> tuple[
        DefinitionVersion | None, tuple[list[str] | None, User | None] | None]:
    """The published version and, read with it when the booking names one, the
    assignee's roles here and person (checked by ``_technician`` where the booking's
    checks reach it, so the first problem named stays the same)."""
    if email in (None, ""):
        return current_version(tenant_id), None
    found = db.session.execute(_VERSION_AND_ASSIGNEE, {
        "tenant_id": tenant_id, "email": _normal_email(email)}).one_or_none()
    if found is None:
        return None, None
    version, roles, person = found
    return version, (roles, person)


def _checked_fields(loaded_case_type: Any, bundle: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The case fields cleaned, or every problem named by the case type's own labels
    ("Meter id — ..."), never by a field id or pointer: the API's message and the
    booking pages show these sentences as they are."""
    check = validate_submission(case_fields_form(loaded_case_type), bundle, fields, draft=True)
    if check.errors:
        raise ValidationFailed("some case fields are invalid", [
            {"path": "/fields" + e.path,
             "message": with_place("/fields" + e.path, e.message,
                                   case_fields=loaded_case_type.fields)}
            for e in check.errors])
    return dict(check.cleaned)


def book_case(actor: Actor, data: dict[str, Any],
              also: Callable[[Session, Case], None] | None = None) -> Case:
    """Book one case; ``also`` runs inside the same transaction (e.g. the CSV
    import records which file row made this case, so a re-import skips it)."""
    _require_booker(actor)
    version, named = _version_and_assignee(actor.tenant_id, data.get("assignee"))
    if version is None:
        raise Conflict("no definition version is published yet; an admin publishes one first")
    bundle = bundle_of(version)
    case_type = bundle.case_type(data["case_type"])
    if case_type is None:
        known = ", ".join(ct.id for ct in bundle.case_types)
        raise ValidationFailed("unknown case type", [{
            "path": "/case_type", "message": with_place(
                "/case_type", f"'{data['case_type']}' is not one of: {known}")}])
    start = parse_datetime(data.get("scheduled_start"), "/scheduled_start")
    end = parse_datetime(data.get("scheduled_end"), "/scheduled_end")
    check_window(start, end)
    assignee = _technician(data["assignee"], *named) if named else None
    fields = _checked_fields(case_type, bundle, data.get("fields") or {})
    customer = checked_customer(data.get("customer"), data.get("site"), bundle)
    now = utcnow()
    with transaction() as session:
        case = Case(
            tenant_id=actor.tenant_id, definition_version_id=version.id, case_type=case_type.id,
            number=next_case_number(session, actor.tenant_id, case_type.number_prefix, now.year),
            title=data["title"].strip(), customer=customer, site=clean_mapping(data.get("site")),
            customer_name=customer.get("name", ""), scheduled_start=start, scheduled_end=end,
            assignee_id=assignee.id if assignee else None, fields=fields,
            status=case_type.lifecycle.initial, status_changed_at=now, version=1,
            created_by=actor.email, created_at=now, updated_at=now)
        case.definition, case.assignee = version, assignee  # known: not read back
        insert_now(session, case)  # one INSERT, no unit of work: the hottest write
        record_event(session, tenant_id=actor.tenant_id, subject_type="case", subject_id=case.id,
                     actor=actor.email, action="booked", before=None,
                     after=booking_snapshot(case, assignee), first=True)
        remember_new(session, LoadedCase(case, bundle, case_type))
        if also is not None:
            also(session, case)
    return case


def booking_snapshot(case: Case, assignee: User | None = None) -> dict[str, Any]:
    person = assignee if assignee is not None else case.assignee
    return {
        "number": case.number, "case_type": case.case_type, "title": case.title,
        "status": case.status, "customer": case.customer, "site": case.site,
        "scheduled_start": case.scheduled_start.isoformat() if case.scheduled_start else None,
        "scheduled_end": case.scheduled_end.isoformat() if case.scheduled_end else None,
        "assignee": person.email if person else None, "fields": case.fields,
    }


def _locked(actor: Actor, case_id: int, expected_version: int | None) -> LoadedCase:
    loaded = load_case(actor, case_id, lock=True)
    if expected_version is not None and loaded.case.version != expected_version:
        raise PreconditionFailed(f"the case is at version {loaded.case.version}, not "
                                 f"{expected_version}; reload it and apply your change again")
    return loaded


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = utcnow()


def update_case(actor: Actor, case_id: int, changes: dict[str, Any],
                expected_version: int | None = None) -> Case:
    _require_booker(actor)
    with transaction() as session:
        loaded = _locked(actor, case_id, expected_version)
        case = loaded.case
        before = booking_snapshot(case)
        previous = _rule_view(loaded) if RESCHEDULE_KEYS & changes.keys() else None
        _apply_changes(actor, loaded, changes)
        after = booking_snapshot(case)
        changed = {k for k, v in before.items() if after.get(k) != v}
        if not changed:
            return case
        if changed & WINDOW_KEYS:
            changed |= WINDOW_KEYS  # the history reads a move as one window → the other
        _touch(case)
        record_event(session, tenant_id=actor.tenant_id, subject_type="case", subject_id=case.id,
                     actor=actor.email, action="updated",
                     before={k: before[k] for k in before if k in changed},
                     after={k: after[k] for k in after if k in changed})
        if RESCHEDULE_KEYS & changed:
            # the same transaction: what the rules raise or send commits with the move
            from workorders.platform.services.rules_runtime import run_rules

            run_rules(session, actor, loaded, RESCHEDULE, previous=previous)
    return case


def _rule_view(loaded: LoadedCase) -> dict[str, Any]:
    """The case as rules see it, taken before a change: ``previous.*`` of a
    reschedule, built by the very function that builds ``case.*``."""
    from workorders.platform.services.rule_facts import case_dict

    return case_dict(loaded)


#: a change to any of these is a reschedule: rules on ``reschedule`` run (page and API alike)
RESCHEDULE_KEYS = frozenset(PREVIOUS_KEYS)
#: the booked window: when one end moves, the audit holds both, old and new
WINDOW_KEYS = frozenset({"scheduled_start", "scheduled_end"})


def needs_reason(case_type: Any, transition_id: str) -> bool:
    """A cancel-like step (its target is final and not work-complete) must say why:
    the page asks for a reason and the API refuses it without a comment."""
    transition = case_type.lifecycle.transition(transition_id)
    if transition is None:
        return False
    state = case_type.lifecycle.state(transition.to)
    return bool(state is not None and state.final
                and not lifecycle.is_work_complete_or_later(case_type, transition.to))


def transitions_needing_reason(case_type: Any) -> frozenset[str]:
    return frozenset(t.id for t in case_type.lifecycle.transitions
                     if needs_reason(case_type, t.id))


def _apply_changes(actor: Actor, loaded: LoadedCase, changes: dict[str, Any]) -> None:
    case = loaded.case
    if "title" in changes:
        case.title = changes["title"].strip()
    if "customer" in changes:
        case.customer = checked_customer(changes["customer"], changes.get("site", case.site),
                                         loaded.bundle)
        case.customer_name = case.customer.get("name", "")
    if "site" in changes:
        case.site = clean_mapping(changes["site"])
    start = (parse_datetime(changes["scheduled_start"], "/scheduled_start")
             if "scheduled_start" in changes else case.scheduled_start)
    end = (parse_datetime(changes["scheduled_end"], "/scheduled_end")
           if "scheduled_end" in changes else case.scheduled_end)
    check_window(start, end)
    case.scheduled_start, case.scheduled_end = start, end
    if "assignee" in changes:
        person = technician_by_email(actor.tenant_id, changes["assignee"])
        case.assignee_id = person.id if person else None
        db.session.flush()
        db.session.refresh(case, ["assignee"])
    if "fields" in changes:
        merged = {**(case.fields or {}), **(changes["fields"] or {})}
        case.fields = _checked_fields(loaded.case_type, loaded.bundle,
                                      {k: v for k, v in merged.items() if v is not None})


def assign_case(actor: Actor, case_id: int, assignee: str | None,
                expected_version: int | None = None) -> Case:
    return update_case(actor, case_id, {"assignee": assignee}, expected_version)


def transition_case(actor: Actor, case_id: int, transition_id: str, comment: str | None = None,
                    expected_version: int | None = None) -> Case:
    with transaction() as session:
        loaded = _locked(actor, case_id, expected_version)
        case = loaded.case
        blockers = tuple(b.reason for b in invoice_blockers(loaded))
        result = lifecycle.check(loaded.case_type, transition_id,
                                 snapshot_for(actor, loaded, invoice_blockers=blockers,
                                              final_forms=final_forms_of(case)))
        if result is None:
            known = ", ".join(t.id for t in loaded.case_type.lifecycle.transitions)
            raise ValidationFailed("unknown transition", [{
                "path": "/transition", "message": f"'{transition_id}' is not one of: {known}"}])
        if not result.allowed:
            raise TransitionRefused(result)
        if needs_reason(loaded.case_type, transition_id) and not (comment or "").strip():
            raise ValidationFailed("a reason is required", [{
                "path": "/comment", "message": f"Say why: “{result.transition.label}” needs a "
                                               "reason in the comment."}])
        apply_transition(session, loaded, result.transition, actor.email, comment)
        run_transition_rules(session, actor, loaded, transition_id)
    return case


class TransitionRefused(Conflict):
    """409 with every unmet requirement."""

    def __init__(self, result: lifecycle.TransitionCheck) -> None:
        reasons = "; ".join(u.message for u in result.unmet)
        super().__init__(f"cannot {result.transition.label.lower()}: {reasons}")
        self.extra = {"unmet": [u.to_dict() for u in result.unmet]}


def get_case(actor: Actor, case_id: int, *, for_change: bool = False) -> LoadedCase:
    """``for_change``: the request goes on to change the case, so the check that it
    exists and is the actor's takes the row lock the change needs (one read)."""
    return load_case(actor, case_id, lock=for_change)
