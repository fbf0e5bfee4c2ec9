"""Storing rule outcomes on a case, without duplicates, and closing stale ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.platform.core_insert import insert_now
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
from workorders.platform.services.case_state import StoredOutcomes, note_inserted, stored_outcomes
from workorders.platform.services.rule_run import Judgement
from workorders.rules.outcomes import Outcome, failure_message

if TYPE_CHECKING:
    from workorders.platform.services.rule_run import Report, RuleRun

SYSTEM = "system"
PERSON_DECIDED = (ExceptionStatus.RESOLVED.value, ExceptionStatus.OVERRIDDEN.value)


def _audit(session: Session, loaded: LoadedCase, action: str, after: dict[str, Any],
           before: dict[str, Any] | None = None, comment: str | None = None) -> None:
    record_event(session, tenant_id=loaded.case.tenant_id, subject_type="case",
                 subject_id=loaded.case.id, actor=SYSTEM, action=action, before=before,
                 after=after, comment=comment)


def _insert(session: Session, outcome: CaseException | Approval | InvoiceBlock) -> None:
    """One INSERT (no unit of work: rules write outcomes on the hottest path, the final
    report), and the case's remembered outcomes learn of it."""
    insert_now(session, outcome)
    note_inserted(session, outcome)


def exception_view(e: CaseException) -> dict[str, Any]:
    return {"id": e.id, "code": e.code, "severity": e.severity, "rule": e.rule_id,
            "message": e.message, "status": e.status}


def _stored(loaded: LoadedCase) -> StoredOutcomes:
    """The case's outcomes, read once per request and kept current by its flushes."""
    return stored_outcomes(loaded.case.tenant_id, loaded.case.id)


def _latest_exception(loaded: LoadedCase, rule: str | None, code: str,
                      scope: str) -> CaseException | None:
    return next((e for e in reversed(_stored(loaded).exceptions)
                 if e.rule_id == rule and e.code == code and e.scope == scope), None)


def _open_exception(run: RuleRun, judged: Judgement, *, rule: str | None, code: str,
                    severity: str, message: str, assign: str | None) -> None:
    session, loaded, fp = run.session, run.loaded, judged.fingerprint
    latest = _latest_exception(loaded, rule, code, judged.scope)
    if latest is not None and (latest.status == ExceptionStatus.OPEN.value or (
            latest.status in PERSON_DECIDED and latest.fingerprint == fp)):
        return  # still open, or a person's decision on the same values stands
    role, user_id = _assignment(session, loaded, assign)
    exc = CaseException(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id, rule_id=rule,
                        code=code, severity=severity, message=message[:4000],
                        assign_role=role, assignee_id=user_id, trigger=run.trigger,
                        scope=judged.scope, trace=judged.trace, fingerprint=fp)
    _insert(session, exc)
    run.report.exceptions_opened.append(exception_view(exc))
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


def raise_exception(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    p = outcome.params
    _open_exception(run, judged, rule=outcome.rule, code=p["code"], severity=p["severity"],
                    message=p["message"], assign=p.get("assign"))


def action_failed(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    _open_exception(run, judged, rule=outcome.rule, code="RULE_ACTION_FAILED",
                    severity="high", message=failure_message(outcome), assign="coordinator")


def fail_closed(run: RuleRun, scope: str, error: str) -> None:
    run.report.errors.append(f"the rules could not be evaluated: {error}")
    _open_exception(run, Judgement(scope, [], "engine-error"), rule=None, code="RULES_FAILED",
                    severity="critical", assign="coordinator",
                    message=f"The rules could not be evaluated ({error}); check this case by "
                            "hand.")


def require_approval(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    session, loaded, scope, fp = run.session, run.loaded, judged.scope, judged.fingerprint
    latest = next((a for a in reversed(_stored(loaded).approvals)
                   if a.rule_id == outcome.rule and a.scope == scope), None)
    decided = (ApprovalStatus.APPROVED.value, ApprovalStatus.REJECTED.value)
    if latest is not None and (latest.status == ApprovalStatus.PENDING.value or (
            latest.status in decided and latest.fingerprint == fp)):
        return
    approval = Approval(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id,
                        rule_id=outcome.rule, approver=outcome.params["approver"],
                        reason=outcome.params["reason"][:4000], trigger=run.trigger,
                        scope=scope, trace=judged.trace, fingerprint=fp)
    _insert(session, approval)
    run.report.approvals_requested.append({"id": approval.id, "rule": outcome.rule,
                                       "approver": approval.approver, "reason": approval.reason})
    _audit(session, loaded, "approval:requested", {"approval": approval.id,
                                                   "approver": approval.approver,
                                                   "rule": outcome.rule},
           comment=approval.reason[:500])
    from workorders.platform.services.notifications import notify_approval

    notify_approval(session, loaded, approval.id, approval.approver, approval.reason, None,
                    fresh=True)  # inserted just above: nothing can carry its key yet


def block_invoicing(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    session, loaded, scope = run.session, run.loaded, judged.scope
    if any(b.rule_id == outcome.rule and b.scope == scope and b.status == "active"
           for b in _stored(loaded).blocks):
        return
    block = InvoiceBlock(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id,
                         rule_id=outcome.rule, reason=outcome.params["reason"][:4000],
                         scope=scope, trace=judged.trace, fingerprint=judged.fingerprint)
    _insert(session, block)
    run.report.blocks.append({"id": block.id, "rule": outcome.rule, "reason": block.reason})
    _audit(session, loaded, "invoicing:blocked", {"block": block.id, "rule": outcome.rule},
           comment=block.reason[:500])


def rules_with_open_outcomes(loaded: LoadedCase, rule_ids: list[str]) -> set[str]:
    """Which of ``rule_ids`` have an open exception, a pending approval or an active
    block on the case: the only ones ``close_by_rule`` can have anything to close for."""
    stored = _stored(loaded)
    open_rules = ({e.rule_id for e in stored.exceptions if e.status == ExceptionStatus.OPEN.value}
                  | {a.rule_id for a in stored.approvals
                     if a.status == ApprovalStatus.PENDING.value}
                  | {b.rule_id for b in stored.blocks if b.status == "active"})
    return {r for r in rule_ids if r in open_rules}


def close_by_rule(session: Session, loaded: LoadedCase, rule: str, scope: str,
                  report: Report) -> None:
    now = utcnow()
    stored = _stored(loaded)
    for exc in [e for e in stored.exceptions if e.rule_id == rule and e.scope == scope
                and e.status == ExceptionStatus.OPEN.value]:
        exc.status, exc.closed_at, exc.closed_by = ExceptionStatus.RESOLVED_BY_RULE.value, now, \
            SYSTEM
        exc.version += 1
        report.exceptions_closed.append(exception_view(exc))
        _audit(session, loaded, "exception:resolved_by_rule", {"exception": exc.id,
                                                               "rule": rule},
               before={"status": "open"})
    for approval in [a for a in stored.approvals if a.rule_id == rule and a.scope == scope
                     and a.status == ApprovalStatus.PENDING.value]:
        approval.status, approval.decided_at = ApprovalStatus.RESOLVED_BY_RULE.value, now
        approval.decided_by = SYSTEM
        approval.version += 1
        report.approvals_closed.append({"id": approval.id, "rule": rule})
        _audit(session, loaded, "approval:resolved_by_rule", {"approval": approval.id,
                                                              "rule": rule},
               before={"status": "pending"})
    for block in [b for b in stored.blocks if b.rule_id == rule and b.scope == scope
                  and b.status == "active"]:
        block.status, block.closed_at = "resolved_by_rule", now
        _audit(session, loaded, "invoicing:unblocked", {"block": block.id, "rule": rule},
               before={"status": "active"})


def notify(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    """One message per rule firing on the same values and trigger: a report saved
    again unchanged does not message the customer twice."""
    from workorders.platform.services.notifications import notify_from_rule

    notify_from_rule(run.session, run.loaded, outcome.params, outcome.rule,
                     key=f"notify:{run.case.id}:{outcome.rule}:{outcome.position}:"
                         f"{run.trigger}:{judged.fingerprint[:16]}", actor=run.actor)


def set_field(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    session, loaded, case = run.session, run.loaded, run.case
    name, value = outcome.params["field"], outcome.params["value"]
    before = (case.fields or {}).get(name)
    if before == value:
        return
    case.fields = {**(case.fields or {}), name: value}
    case.version += 1
    _audit(session, loaded, "rule:set_field", {name: value}, before={name: before},
           comment=f"rule {outcome.rule}")


def route(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    """``assign``: the case is routed to a role or a person for follow-up."""
    session, loaded, case = run.session, run.loaded, run.case
    routing = {k: outcome.params[k] for k in ("role", "user") if k in outcome.params}
    if case.routing == routing:
        return
    before = case.routing
    case.routing = routing
    case.version += 1
    _audit(session, loaded, "rule:assign", {"routing": routing}, before={"routing": before},
           comment=f"rule {outcome.rule}")
