"""Storing rule outcomes on a case, without duplicates, and closing stale ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import Session

from workorders.platform.models import (
    Approval,
    ApprovalStatus,
    CaseException,
    ExceptionStatus,
    InvoiceBlock,
    Membership,
    User,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase
from workorders.rules.outcomes import Outcome, failure_message

if TYPE_CHECKING:
    from workorders.platform.actor import Actor
    from workorders.platform.services.rules_runtime import Report

SYSTEM = "system"
PERSON_DECIDED = (ExceptionStatus.RESOLVED.value, ExceptionStatus.OVERRIDDEN.value)


def _audit(session: Session, loaded: LoadedCase, action: str, after: dict[str, Any],
           before: dict[str, Any] | None = None, comment: str | None = None) -> None:
    record_event(session, tenant_id=loaded.case.tenant_id, subject_type="case",
                 subject_id=loaded.case.id, actor=SYSTEM, action=action, before=before,
                 after=after, comment=comment)


def exception_view(e: CaseException) -> dict[str, Any]:
    return {"id": e.id, "code": e.code, "severity": e.severity, "rule": e.rule_id,
            "message": e.message, "status": e.status}


def _latest_exception(session: Session, loaded: LoadedCase, rule: str | None, code: str,
                      scope: str) -> CaseException | None:
    return session.execute(select(CaseException).where(
        CaseException.case_id == loaded.case.id, CaseException.rule_id == rule,
        CaseException.code == code, CaseException.scope == scope)
        .order_by(CaseException.id.desc()).limit(1)).scalar_one_or_none()


def _open_exception(session: Session, loaded: LoadedCase, *, rule: str | None, code: str,
                    severity: str, message: str, assign: str | None, trigger: str, scope: str,
                    trace: list[dict[str, Any]], fp: str, report: Report) -> None:
    latest = _latest_exception(session, loaded, rule, code, scope)
    if latest is not None and (latest.status == ExceptionStatus.OPEN.value or (
            latest.status in PERSON_DECIDED and latest.fingerprint == fp)):
        return  # still open, or a person's decision on the same values stands
    role, user_id = _assignment(session, loaded, assign)
    exc = CaseException(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id, rule_id=rule,
                        code=code, severity=severity, message=message[:4000],
                        assign_role=role, assignee_id=user_id, trigger=trigger, scope=scope,
                        trace=trace, fingerprint=fp)
    session.add(exc)
    session.flush()
    report.exceptions_opened.append(exception_view(exc))
    _audit(session, loaded, "exception:opened", {"exception": exc.id, "code": code,
                                                 "severity": severity, "rule": rule},
           comment=message[:500])


def _assignment(session: Session, loaded: LoadedCase, assign: str | None) -> tuple[str | None,
                                                                                   int | None]:
    """``coordinator`` (a role), ``assignee`` (the case's technician) or ``user:<email>``."""
    if assign == "assignee":
        return None, loaded.case.assignee_id
    if assign and assign.startswith("user:"):
        user = session.execute(select(User).join(Membership).where(
            User.email == assign[5:].lower(),
            Membership.tenant_id == loaded.case.tenant_id)).scalar_one_or_none()
        return (None, user.id) if user else ("coordinator", None)
    return assign or "coordinator", None


def raise_exception(session: Session, loaded: LoadedCase, outcome: Outcome, trigger: str,
                    scope: str, trace: list[dict[str, Any]], fp: str, report: Report) -> None:
    p = outcome.params
    _open_exception(session, loaded, rule=outcome.rule, code=p["code"], severity=p["severity"],
                    message=p["message"], assign=p.get("assign"), trigger=trigger, scope=scope,
                    trace=trace, fp=fp, report=report)


def action_failed(session: Session, loaded: LoadedCase, outcome: Outcome, trigger: str,
                  scope: str, trace: list[dict[str, Any]], fp: str, report: Report) -> None:
    _open_exception(session, loaded, rule=outcome.rule, code="RULE_ACTION_FAILED",
                    severity="high", message=failure_message(outcome), assign="coordinator",
                    trigger=trigger, scope=scope, trace=trace, fp=fp, report=report)


def fail_closed(session: Session, loaded: LoadedCase, trigger: str, scope: str, error: str,
                report: Report) -> None:
    report.errors.append(f"the rules could not be evaluated: {error}")
    _open_exception(session, loaded, rule=None, code="RULES_FAILED", severity="critical",
                    message=f"The rules could not be evaluated ({error}); check this case by "
                            "hand.", assign="coordinator", trigger=trigger, scope=scope,
                    trace=[], fp="engine-error", report=report)


def require_approval(session: Session, loaded: LoadedCase, outcome: Outcome, trigger: str,
                     scope: str, trace: list[dict[str, Any]], fp: str, report: Report) -> None:
    latest = session.execute(select(Approval).where(
        Approval.case_id == loaded.case.id, Approval.rule_id == outcome.rule,
        Approval.scope == scope).order_by(Approval.id.desc()).limit(1)).scalar_one_or_none()
    decided = (ApprovalStatus.APPROVED.value, ApprovalStatus.REJECTED.value)
    if latest is not None and (latest.status == ApprovalStatus.PENDING.value or (
            latest.status in decided and latest.fingerprint == fp)):
        return
    approval = Approval(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id,
                        rule_id=outcome.rule, approver=outcome.params["approver"],
                        reason=outcome.params["reason"][:4000], trigger=trigger, scope=scope,
                        trace=trace, fingerprint=fp)
    session.add(approval)
    session.flush()
    report.approvals_requested.append({"id": approval.id, "rule": outcome.rule,
                                       "approver": approval.approver, "reason": approval.reason})
    _audit(session, loaded, "approval:requested", {"approval": approval.id,
                                                   "approver": approval.approver,
                                                   "rule": outcome.rule},
           comment=approval.reason[:500])
    from workorders.platform.services.notifications import notify_approval

    notify_approval(session, loaded, approval.id, approval.approver, approval.reason, None)


def block_invoicing(session: Session, loaded: LoadedCase, outcome: Outcome, scope: str,
                    trace: list[dict[str, Any]], fp: str, report: Report) -> None:
    active = session.execute(select(InvoiceBlock).where(
        InvoiceBlock.case_id == loaded.case.id, InvoiceBlock.rule_id == outcome.rule,
        InvoiceBlock.scope == scope, InvoiceBlock.status == "active")).scalar_one_or_none()
    if active is not None:
        return
    block = InvoiceBlock(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id,
                         rule_id=outcome.rule, reason=outcome.params["reason"][:4000],
                         scope=scope, trace=trace, fingerprint=fp)
    session.add(block)
    session.flush()
    report.blocks.append({"id": block.id, "rule": outcome.rule, "reason": block.reason})
    _audit(session, loaded, "invoicing:blocked", {"block": block.id, "rule": outcome.rule},
           comment=block.reason[:500])


def rules_with_open_outcomes(session: Session, case_id: int, rule_ids: list[str]) -> set[str]:
    """Which of ``rule_ids`` have an open exception, a pending approval or an active
    block on the case: the only ones ``close_by_rule`` can have anything to close for."""
    if not rule_ids:
        return set()
    found: CompoundSelect[Any] = union(
        select(CaseException.rule_id).where(
            CaseException.case_id == case_id, CaseException.rule_id.in_(rule_ids),
            CaseException.status == ExceptionStatus.OPEN.value),
        select(Approval.rule_id).where(
            Approval.case_id == case_id, Approval.rule_id.in_(rule_ids),
            Approval.status == ApprovalStatus.PENDING.value),
        select(InvoiceBlock.rule_id).where(
            InvoiceBlock.case_id == case_id, InvoiceBlock.rule_id.in_(rule_ids),
            InvoiceBlock.status == "active"))
    return {r for r in session.execute(found).scalars() if r is not None}


def close_by_rule(session: Session, loaded: LoadedCase, rule: str, scope: str,
                  report: Report) -> None:
    now = utcnow()
    for exc in session.execute(select(CaseException).where(
            CaseException.case_id == loaded.case.id, CaseException.rule_id == rule,
            CaseException.scope == scope,
            CaseException.status == ExceptionStatus.OPEN.value)).scalars():
        exc.status, exc.closed_at, exc.closed_by = ExceptionStatus.RESOLVED_BY_RULE.value, now, \
            SYSTEM
        exc.version += 1
        report.exceptions_closed.append(exception_view(exc))
        _audit(session, loaded, "exception:resolved_by_rule", {"exception": exc.id,
                                                               "rule": rule},
               before={"status": "open"})
    for approval in session.execute(select(Approval).where(
            Approval.case_id == loaded.case.id, Approval.rule_id == rule,
            Approval.scope == scope, Approval.status == ApprovalStatus.PENDING.value)).scalars():
        approval.status, approval.decided_at = ApprovalStatus.RESOLVED_BY_RULE.value, now
        approval.decided_by = SYSTEM
        approval.version += 1
        report.approvals_closed.append({"id": approval.id, "rule": rule})
        _audit(session, loaded, "approval:resolved_by_rule", {"approval": approval.id,
                                                              "rule": rule},
               before={"status": "pending"})
    for block in session.execute(select(InvoiceBlock).where(
            InvoiceBlock.case_id == loaded.case.id, InvoiceBlock.rule_id == rule,
            InvoiceBlock.scope == scope, InvoiceBlock.status == "active")).scalars():
        block.status, block.closed_at = "resolved_by_rule", now
        _audit(session, loaded, "invoicing:unblocked", {"block": block.id, "rule": rule},
               before={"status": "active"})


def notify(session: Session, loaded: LoadedCase, outcome: Outcome, trigger: str,
           fp: str, actor: Actor | None = None) -> None:
    """One message per rule firing on the same values and trigger: a report saved
    again unchanged does not message the customer twice."""
    from workorders.platform.services.notifications import notify_from_rule

    notify_from_rule(session, loaded, outcome.params, outcome.rule,
                     key=f"notify:{loaded.case.id}:{outcome.rule}:{outcome.position}:"
                         f"{trigger}:{fp[:16]}", actor=actor)


def set_field(session: Session, loaded: LoadedCase, outcome: Outcome, report: Report) -> None:
    case = loaded.case
    name, value = outcome.params["field"], outcome.params["value"]
    before = (case.fields or {}).get(name)
    if before == value:
        return
    case.fields = {**(case.fields or {}), name: value}
    case.version += 1
    _audit(session, loaded, "rule:set_field", {name: value}, before={name: before},
           comment=f"rule {outcome.rule}")


def route(session: Session, loaded: LoadedCase, outcome: Outcome, report: Report) -> None:
    """``assign``: the case is routed to a role or a person for follow-up."""
    case = loaded.case
    routing = {k: outcome.params[k] for k in ("role", "user") if k in outcome.params}
    if case.routing == routing:
        return
    before = case.routing
    case.routing = routing
    case.version += 1
    _audit(session, loaded, "rule:assign", {"routing": routing}, before={"routing": before},
           comment=f"rule {outcome.rule}")
