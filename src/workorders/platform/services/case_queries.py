"""Reading cases: lists with filters and cursors, views for people, the trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from workorders.definitions import lifecycle
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import AuditEvent, Case, DefinitionVersion, User
from workorders.platform.services.case_context import LoadedCase, load_case, snapshot_for
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.submissions import final_forms_of


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    case_type: str | None = None
    assignee: str | None = None
    owner: str | None = None  # "me", a role, "assignee" or "customer"
    q: str | None = None


def _owned_by(tenant_id: int, owners: set[str]) -> ColumnElement[bool]:
    """Cases whose current state is owned by one of ``owners``: the (case type,
    state) pairs come from every definition version the tenant's cases may be
    pinned to."""
    pairs: set[tuple[str, str]] = set()
    for version in db.session.execute(select(DefinitionVersion).where(
            DefinitionVersion.tenant_id == tenant_id)).scalars():
        for case_type in bundle_of(version).case_types:
            pairs.update((case_type.id, s.id) for s in case_type.lifecycle.states
                         if s.owner in owners)
    if not pairs:
        return false()
    return or_(*(and_(Case.case_type == ct, Case.status == st) for ct, st in sorted(pairs)))


def filtered(actor: Actor, filters: CaseFilters) -> Select[Any]:
    stmt = select(Case).where(Case.tenant_id == actor.tenant_id)
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.case_type:
        stmt = stmt.where(Case.case_type == filters.case_type)
    if filters.assignee:
        who = actor.user_id if filters.assignee == "me" else select(User.id).where(
            User.email == filters.assignee.strip().lower()).scalar_subquery()
        stmt = stmt.where(Case.assignee_id == who)
    if filters.owner == "me":  # my turn: my roles' states, and my assigned jobs' states
        stmt = stmt.where(or_(
            _owned_by(actor.tenant_id, set(actor.roles)),
            and_(_owned_by(actor.tenant_id, {"assignee"}), Case.assignee_id == actor.user_id)))
    elif filters.owner:
        stmt = stmt.where(_owned_by(actor.tenant_id, {filters.owner}))
    if filters.q:
        needle = f"%{filters.q.strip()[:100]}%"
        stmt = stmt.where(or_(Case.number.ilike(needle), Case.title.ilike(needle),
                              Case.customer_name.ilike(needle)))
    return stmt


def list_cases(actor: Actor, filters: CaseFilters, limit: int, after: int | None) -> list[Case]:
    stmt = filtered(actor, filters)
    if after is not None:
        stmt = stmt.where(Case.id < after)
    return list(db.session.execute(stmt.order_by(Case.id.desc()).limit(limit)).scalars())


def case_events(actor: Actor, case_id: int) -> list[AuditEvent]:
    load_case(actor, case_id)  # 404 for a foreign or missing case
    return list(db.session.execute(select(AuditEvent).where(
        AuditEvent.tenant_id == actor.tenant_id, AuditEvent.subject_type == "case",
        AuditEvent.subject_id == case_id).order_by(AuditEvent.seq)).scalars())


def case_view(actor: Actor, loaded: LoadedCase) -> dict[str, Any]:
    """The case as the API and pages show it, with what this person may do next."""
    case, case_type = loaded.case, loaded.case_type
    blockers = invoice_blockers(loaded)
    snapshot = snapshot_for(actor, loaded, invoice_blockers=tuple(b.reason for b in blockers),
                            final_forms=final_forms_of(case))
    options = lifecycle.available(case_type, snapshot)
    state = case_type.lifecycle.state(case.status)
    return {
        "id": case.id, "number": case.number, "case_type": case.case_type,
        "case_type_name": case_type.name, "title": case.title, "status": case.status,
        "status_label": state.label if state else case.status,
        "owner": lifecycle.owner_of(case_type, case.status),
        "version": case.version, "definition_version": case.definition.number,
        "customer": case.customer, "site": case.site,
        "scheduled_start": case.scheduled_start.isoformat() if case.scheduled_start else None,
        "scheduled_end": case.scheduled_end.isoformat() if case.scheduled_end else None,
        "assignee": case.assignee.email if case.assignee else None,
        "fields": case.fields,
        "allowed_transitions": [
            {"id": o.transition.id, "label": o.transition.label, "to": o.transition.to}
            for o in options if o.allowed],
        "blocked_transitions": [
            {"id": o.transition.id, "label": o.transition.label, "to": o.transition.to,
             "unmet": [u.to_dict() for u in o.unmet]}
            for o in options if not o.allowed],
        "invoice": {"ready": not blockers, "blockers": [b.to_dict() for b in blockers]},
        "created_by": case.created_by, "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "status_changed_at": case.status_changed_at.isoformat(),
    }


def event_view(event: AuditEvent) -> dict[str, Any]:
    return {"seq": event.seq, "at": event.at.isoformat(), "actor": event.actor,
            "action": event.action, "before": event.before, "after": event.after,
            "comment": event.comment, "hash": event.hash}
