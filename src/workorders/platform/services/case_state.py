"""What one request knows about a case's stored outcomes and final reports,
read once and reused until something changes them.

A transition used to read the case's open blocks, approvals and exceptions three
times (to check the move, for the case's readiness in its answer, and for the
open items of that answer), each time with three queries; a booking read them
for a case that had existed for a millisecond. Here each case's rows are read
once per session and kept current by the session's own flushes (a new outcome
joins the remembered ones; a changed one is the very object remembered); a bulk
statement on those tables forgets them, and locking a case forgets what was read
of it before the lock. So a reader never sees less than what this transaction
wrote. A case booked in this session
is known to have none: nothing is read for it at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import ORMExecuteState, Session, aliased

from workorders.platform.extensions import db
from workorders.platform.listeners import Listeners
from workorders.platform.models import (
    Approval,
    CaseException,
    InvoiceBlock,
    Submission,
    SubmissionKind,
)

_OUTCOMES = "workorders.case_state.outcomes"
_LATEST_KEY = "workorders.case_state.latest"
FINAL_KINDS = (SubmissionKind.FINAL.value, SubmissionKind.CORRECTION.value)
_OUTCOME_TABLES = frozenset({CaseException.__tablename__, Approval.__tablename__,
                             InvoiceBlock.__tablename__})
_OUTCOME_MODELS = (CaseException, Approval, InvoiceBlock)  # StoredOutcomes' order
#: which kinds of outcome a case has, in one cheap statement: a case has none at its
#: first report, and then fewer than three kinds are read
_HAS_OUTCOMES = select(*(
    exists().where(model.tenant_id == bindparam("tenant_id"),
                   model.case_id == bindparam("case_id"))
    for model in _OUTCOME_MODELS))
_OUTCOMES_OF = tuple(select(model).where(
    model.tenant_id == bindparam("tenant_id"), model.case_id == bindparam("case_id"))
    .order_by(model.id) for model in _OUTCOME_MODELS)
_EARLIER = aliased(Submission)
#: a case's latest revision of each form (the unique (case, form, revision) makes it one)
_LATEST = select(Submission).where(
    Submission.tenant_id == bindparam("tenant_id"), Submission.case_id == bindparam("case_id"),
    Submission.revision == select(func.max(_EARLIER.revision)).where(
        _EARLIER.tenant_id == Submission.tenant_id, _EARLIER.case_id == Submission.case_id,
        _EARLIER.form_id == Submission.form_id).correlate(Submission).scalar_subquery())


@dataclass
class StoredOutcomes:
    """Every exception, approval and invoicing block of one case, oldest first."""

    exceptions: list[CaseException] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    blocks: list[InvoiceBlock] = field(default_factory=list)


def stored_outcomes(tenant_id: int, case_id: int) -> StoredOutcomes:
    session = db.session()
    _HOOKS.install()
    memo: dict[tuple[int, int], StoredOutcomes] = session.info.setdefault(_OUTCOMES, {})
    found = memo.get((tenant_id, case_id))
    if found is None:
        ids = {"tenant_id": tenant_id, "case_id": case_id}
        has = session.connection().execute(_HAS_OUTCOMES, ids).one()
        read: list[list[Any]] = [  # only the kinds the case has are read
            list(session.execute(statement, ids).scalars()) if present else []
            for statement, present in zip(_OUTCOMES_OF, has, strict=True)]
        found = StoredOutcomes(exceptions=read[0], approvals=read[1], blocks=read[2])
        memo[(tenant_id, case_id)] = found
    return found


def latest_submissions(tenant_id: int, case_id: int) -> dict[str, Submission]:
    """Each form's latest revision of any kind (draft, final or correction), by form id:
    one query for a case's checks ("already submitted?") and its rules' totals."""
    session = db.session()
    _HOOKS.install()
    memo: dict[tuple[int, int], dict[str, Submission]] = session.info.setdefault(_LATEST_KEY, {})
    found = memo.get((tenant_id, case_id))
    if found is None:
        rows = session.execute(_LATEST, {"tenant_id": tenant_id, "case_id": case_id}).scalars()
        found = memo[(tenant_id, case_id)] = {row.form_id: row for row in rows}
    return found


def latest_finals(tenant_id: int, case_id: int) -> dict[str, Submission]:
    """Each form's latest final report or correction, by form id. A form's latest
    revision is its latest final when it has one: no draft follows a final report
    (``submit_form`` refuses it; a change is a correction)."""
    return {form_id: row for form_id, row in latest_submissions(tenant_id, case_id).items()
            if row.kind in FINAL_KINDS}


def final_forms(tenant_id: int, case_id: int) -> frozenset[str]:
    """The forms of the case with a final report (or its correction)."""
    return frozenset(latest_finals(tenant_id, case_id))


def known_new(session: Session, tenant_id: int, case_id: int) -> None:
    """``case_id`` was inserted by this session: it has no outcomes or reports yet."""
    _HOOKS.install()
    session.info.setdefault(_OUTCOMES, {})[(tenant_id, case_id)] = StoredOutcomes()
    session.info.setdefault(_LATEST_KEY, {})[(tenant_id, case_id)] = {}


def forget_case(session: Session, tenant_id: int, case_id: int) -> None:
    """The case was just locked: what was read of it before may have changed since."""
    for key in (_OUTCOMES, _LATEST_KEY):
        session.info.get(key, {}).pop((tenant_id, case_id), None)


def _after_flush(session: Session, _context: Any) -> None:
    """Keep what is remembered current: a new outcome or report of a remembered case
    joins it (ids grow, so the order holds); a changed one is the very object
    remembered; a deleted one leaves."""
    for obj in session.new:
        note_inserted(session, obj)
    outcomes: dict[tuple[int, int], StoredOutcomes] = session.info.get(_OUTCOMES, {})
    latest: dict[tuple[int, int], dict[str, Submission]] = session.info.get(_LATEST_KEY, {})
    for obj in session.deleted:
        if isinstance(obj, (CaseException, Approval, InvoiceBlock)):
            outcomes.pop((obj.tenant_id, obj.case_id), None)
        elif isinstance(obj, Submission):
            latest.pop((obj.tenant_id, obj.case_id), None)


def note_inserted(session: Session, obj: object) -> None:
    """``obj`` was just inserted: an outcome or report joins its case's remembered
    ones. The flush hook calls this for what the unit of work inserts; a row inserted
    with ``core_insert.insert_now`` is passed here by its writer."""
    if isinstance(obj, (CaseException, Approval, InvoiceBlock)):
        stored = session.info.get(_OUTCOMES, {}).get((obj.tenant_id, obj.case_id))
        if stored is not None:
            _list_of(stored, obj).append(obj)
    elif isinstance(obj, Submission):
        latest = session.info.get(_LATEST_KEY, {}).get((obj.tenant_id, obj.case_id))
        if latest is not None and (obj.form_id not in latest
                                   or latest[obj.form_id].revision < obj.revision):
            latest[obj.form_id] = obj


def _list_of(stored: StoredOutcomes, obj: object) -> list[Any]:
    if isinstance(obj, CaseException):
        return stored.exceptions
    if isinstance(obj, Approval):
        return stored.approvals
    return stored.blocks


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE (``session.execute(update(...))``) bypasses the
    flush: forget what it may have changed (everything, for a statement of text)."""
    if state.is_select:
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table is None or table in _OUTCOME_TABLES:
        state.session.info.pop(_OUTCOMES, None)
    if table is None or table == Submission.__tablename__:
        state.session.info.pop(_LATEST_KEY, None)


def _forget_all(session: Session, *_args: Any) -> None:
    session.info.pop(_OUTCOMES, None)
    session.info.pop(_LATEST_KEY, None)


_HOOKS = Listeners(Session, ("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                   ("after_soft_rollback", _forget_all))
