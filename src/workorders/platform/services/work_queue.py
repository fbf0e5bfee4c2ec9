"""People working rule outcomes: exceptions (assign, resolve, override, reopen)
and approvals (decide). Each action is one transaction, audited on the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.errors import Conflict, Forbidden, PreconditionFailed
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseException,
    ExceptionStatus,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.export_triggers import reissue_when_ready
from workorders.platform.services.unit_of_work import transaction

STAFF = ("coordinator", "admin")


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise PreconditionFailed(f"this item is at version {current}; reload it")


def _audit(session: Session, actor_email: str, tenant_id: int, case_id: int, action: str,
           before: dict[str, Any], after: dict[str, Any], comment: str | None = None) -> None:
    record_event(session, tenant_id=tenant_id, subject_type="case", subject_id=case_id,
                 actor=actor_email, action=action, before=before, after=after, comment=comment)


def _locked_exception(actor: Actor, exception_id: int, expected: int | None) -> CaseException:
    exc = get_for_tenant(CaseException, exception_id, actor.tenant_id, lock=True)
    _check_version(exc.version, expected)
    return exc


def assign_exception(actor: Actor, exception_id: int, email: str | None,
                     expected: int | None = None) -> CaseException:
    if not actor.has_any(*STAFF):
        raise Forbidden("assigning exceptions needs the coordinator or admin role")
    with transaction() as session:
        exc = _locked_exception(actor, exception_id, expected)
        person = None
        if email:
            from workorders.platform.models import Membership, User

            person = session.execute(select(User).join(Membership).where(
                Membership.tenant_id == actor.tenant_id,
                User.email == email.strip().lower())).scalar_one_or_none()
            if person is None:
                from workorders.errors import ValidationFailed

                raise ValidationFailed("unknown person", [{
                    "path": "/user", "message": f"{email} is not a member of this workspace"}])
        before = exc.assignee.email if exc.assignee else None
        exc.assignee_id = person.id if person else None
        exc.version += 1
        exc.updated_at = utcnow()
        _audit(session, actor.email, actor.tenant_id, exc.case_id, "exception:assigned",
               {"exception": exc.id, "assignee": before},
               {"exception": exc.id, "assignee": person.email if person else None})
    return exc


def _close(actor: Actor, exception_id: int, status: str, text: str, expected: int | None,
           action: str) -> CaseException:
    with transaction() as session:
        exc = _locked_exception(actor, exception_id, expected)
        if exc.status != ExceptionStatus.OPEN.value:
            raise Conflict(f"the exception is {exc.status.replace('_', ' ')}, not open")
        exc.status, exc.note = status, text.strip()
        exc.closed_by, exc.closed_at = actor.email, utcnow()
        exc.version += 1
        exc.updated_at = utcnow()
        _audit(session, actor.email, actor.tenant_id, exc.case_id, action,
               {"exception": exc.id, "status": "open"}, {"exception": exc.id, "status": status},
               comment=text.strip())
    reissue_when_ready(exc.tenant_id, exc.case_id)
    return exc


def resolve_exception(actor: Actor, exception_id: int, note: str,
                      expected: int | None = None) -> CaseException:
    exc = get_for_tenant(CaseException, exception_id, actor.tenant_id)
    if not (actor.has_any(*STAFF) or exc.assignee_id == actor.user_id):
        raise Forbidden("only coordinators, admins or the person it is assigned to resolve it")
    return _close(actor, exception_id, ExceptionStatus.RESOLVED.value, note, expected,
                  "exception:resolved")


def override_exception(actor: Actor, exception_id: int, reason: str,
                       expected: int | None = None) -> CaseException:
    if not actor.has_any(*STAFF):
        raise Forbidden("overriding an exception needs the coordinator or admin role")
    return _close(actor, exception_id, ExceptionStatus.OVERRIDDEN.value, reason, expected,
                  "exception:overridden")


def reopen_exception(actor: Actor, exception_id: int, expected: int | None = None
                     ) -> CaseException:
    if not actor.has_any(*STAFF):
        raise Forbidden("reopening an exception needs the coordinator or admin role")
    with transaction() as session:
        exc = _locked_exception(actor, exception_id, expected)
        if exc.status == ExceptionStatus.OPEN.value:
            raise Conflict("the exception is already open")
        before = exc.status
        exc.status, exc.closed_at, exc.closed_by = ExceptionStatus.OPEN.value, None, None
        exc.version += 1
        exc.updated_at = utcnow()
        _audit(session, actor.email, actor.tenant_id, exc.case_id, "exception:reopened",
               {"exception": exc.id, "status": before}, {"exception": exc.id, "status": "open"})
    return exc


def may_decide(actor: Actor | None, approval: Approval) -> bool:
    """Only the routed people: the role, the named user; the customer only by link."""
    if actor is None:
        return approval.approver == "customer"
    if approval.approver.startswith("role:"):
        return actor.has_any(approval.approver[5:])
    if approval.approver.startswith("user:"):
        return actor.email == approval.approver[5:].lower()
    return False


def decide_approval(actor: Actor | None, tenant_id: int, approval_id: int, decision: str,
                    comment: str | None, expected: int | None = None,
                    decided_by: str | None = None) -> Approval:
    """Approve or reject; a rejection opens an exception for the coordinators."""
    with transaction() as session:
        approval = get_for_tenant(Approval, approval_id, tenant_id, lock=True)
        if not may_decide(actor, approval):
            raise Forbidden(f"this approval is routed to {approval.approver.replace(':', ' ')}")
        _check_version(approval.version, expected)
        if approval.status != ApprovalStatus.PENDING.value:
            raise Conflict(f"the approval was already {approval.status.replace('_', ' ')}")
        who = decided_by or (actor.email if actor else "customer")
        approval.status = (ApprovalStatus.APPROVED if decision == "approve"
                           else ApprovalStatus.REJECTED).value
        approval.decided_by, approval.decided_at = who, utcnow()
        approval.comment = (comment or "").strip() or None
        approval.version += 1
        _audit(session, who, tenant_id, approval.case_id, f"approval:{approval.status}",
               {"approval": approval.id, "status": "pending"},
               {"approval": approval.id, "status": approval.status}, comment=approval.comment)
        if approval.status == ApprovalStatus.REJECTED.value:
            _rejection_exception(session, approval, who)
    reissue_when_ready(tenant_id, approval.case_id)
    return approval


def _rejection_exception(session: Session, approval: Approval, who: str) -> None:
    exc = CaseException(
        tenant_id=approval.tenant_id, case_id=approval.case_id, rule_id=approval.rule_id,
        code="APPROVAL_REJECTED", severity="high",
        message=f"{who} rejected: {approval.reason}"
                + (f" ({approval.comment})" if approval.comment else ""),
        assign_role="coordinator", trigger=approval.trigger,
        scope=f"approval:{approval.id}", trace=approval.trace, fingerprint=approval.fingerprint)
    session.add(exc)
    session.flush()
    _audit(session, who, approval.tenant_id, approval.case_id, "exception:opened",
           {}, {"exception": exc.id, "code": exc.code, "severity": exc.severity})


def case_number(case_id: int) -> str:
    return str(db.session.execute(select(Case.number).where(Case.id == case_id)).scalar_one())


__all__ = ["assign_exception", "decide_approval", "may_decide", "override_exception",
           "reopen_exception", "resolve_exception"]
