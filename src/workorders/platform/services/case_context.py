"""Loading a case with what its rules need: its pinned bundle and case type,
and the lifecycle snapshot for the person acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from workorders.definitions.lifecycle import CaseSnapshot
from workorders.definitions.model import Bundle, CaseType, Form, Section
from workorders.errors import Conflict, NotFound
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.listeners import Listeners
from workorders.platform.models import Case, Membership
from workorders.platform.services.case_state import forget_case, known_new
from workorders.platform.services.definitions import bundle_of


@dataclass(frozen=True)
class LoadedCase:
    case: Case
    bundle: Bundle
    case_type: CaseType


_LOADED = "workorders.loaded_cases"
_NAMES = "workorders.member_names"
#: the name the case's tenant gave its assignee, read with the case (rules' facts use it)
_ASSIGNEE_NAME = select(Membership.name).where(
    Membership.tenant_id == Case.tenant_id, Membership.user_id == Case.assignee_id,
).correlate(Case).scalar_subquery().label("assignee_name")


@dataclass
class _Memo:
    loaded: LoadedCase
    locked: bool


#: built once: every case request runs one of them
_READ_CASE = select(Case, _ASSIGNEE_NAME).options(joinedload(Case.definition)).where(
    Case.id == bindparam("case_id"), Case.tenant_id == bindparam("tenant_id"))
_LOCK_CASE = _READ_CASE.with_for_update(of=Case)  # not the eagerly joined rows


def load_case(actor: Actor, case_id: int, *, lock: bool = False) -> LoadedCase:
    """The case of ``actor``'s tenant with its pinned bundle (NotFound otherwise).

    Read once per request: the API's "is it yours" check and the service's locked
    load are then one statement (the check takes the lock on PostgreSQL, where the
    request is one transaction), and the answer is built from the rows the change
    just wrote. A lock is good until its transaction ends; a locked load after that
    reads the row again."""
    session = db.session()
    _HOOKS.install()
    memo: dict[tuple[int, int], _Memo] = session.info.setdefault(_LOADED, {})
    key = (actor.tenant_id, case_id)
    found = memo.get(key)
    if found is not None and (found.locked or not lock):
        return found.loaded
    stmt = _LOCK_CASE if lock else _READ_CASE
    options = {"populate_existing": True} if found is not None else {}
    row = session.execute(stmt, {"case_id": case_id, "tenant_id": actor.tenant_id},
                          execution_options=options).unique().one_or_none()
    if row is None:
        raise NotFound(f"Case {case_id} not found")
    case, assignee_name = row
    if case.assignee_id is not None:
        _names(session)[(case.tenant_id, case.assignee_id)] = assignee_name or ""
    if lock:
        forget_case(session, actor.tenant_id, case_id)
    loaded = loaded_case(case)
    memo[key] = _Memo(loaded, lock)
    return loaded


def member_name(tenant_id: int, user_id: int) -> str:
    """The name ``tenant_id`` gave the person (invoices carry it as "our reference");
    a shared login's name in another tenant never shows here. Read once per
    request; a loaded case brings its assignee's along."""
    session = db.session()
    names = _names(session)
    if (tenant_id, user_id) not in names:
        names[(tenant_id, user_id)] = session.execute(select(Membership.name).where(
            Membership.tenant_id == tenant_id, Membership.user_id == user_id)).scalar() or ""
    return names[(tenant_id, user_id)]


def _names(session: Session) -> dict[tuple[int, int], str]:
    names: dict[tuple[int, int], str] = session.info.setdefault(_NAMES, {})
    return names


def loaded_case(case: Case) -> LoadedCase:
    bundle = bundle_of(case.definition)
    case_type = bundle.case_type(case.case_type)
    if case_type is None:  # pragma: no cover - a pinned version cannot lose a case type
        raise Conflict(f"case type {case.case_type} is missing from its definition version")
    return LoadedCase(case, bundle, case_type)


def remember_new(session: Session, loaded: LoadedCase) -> None:
    """A case this session just inserted (and so holds exclusively until commit)."""
    _HOOKS.install()
    session.info.setdefault(_LOADED, {})[(loaded.case.tenant_id, loaded.case.id)] = \
        _Memo(loaded, True)
    known_new(session, loaded.case.tenant_id, loaded.case.id)


def _unlock(session: Session, *_args: object) -> None:
    for found in session.info.get(_LOADED, {}).values():
        found.locked = False


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(_LOADED, None)
    session.info.pop(_NAMES, None)


_HOOKS = Listeners(Session, ("after_commit", _unlock), ("after_soft_rollback", _forget))


def case_fields_form(case_type: CaseType) -> Form:
    """Case-level fields validate like a one-section form, with the same rules."""
    return Form(id=f"{case_type.id}__fields", title=case_type.name,
                sections=(Section(title=None, fields=case_type.fields),))


def attributes_of(case: Case) -> dict[str, Any]:
    return {
        "assignee": case.assignee.email if case.assignee else None,
        "scheduled_start": case.scheduled_start.isoformat() if case.scheduled_start else None,
        "scheduled_end": case.scheduled_end.isoformat() if case.scheduled_end else None,
        "customer": case.customer or {},
        "site": case.site or {},
        "fields": case.fields or {},
    }


def snapshot_for(actor: Actor, loaded: LoadedCase, *, invoice_blockers: tuple[str, ...] = (),
                 final_forms: frozenset[str] = frozenset()) -> CaseSnapshot:
    case = loaded.case
    return CaseSnapshot(status=case.status, actor_roles=actor.roles,
                        actor_is_assignee=case.assignee_id == actor.user_id,
                        attributes=attributes_of(case), final_forms=final_forms,
                        invoice_blockers=invoice_blockers,
                        form_titles={f: form.title for f in loaded.case_type.forms
                                     if (form := loaded.bundle.form(f)) is not None})
