"""One case's rule outcomes, read once for every place that shows them.

The case page's "Exceptions and approvals" box and ``GET /cases/{id}`` read
the same rows through ``case_outcomes``, so the API cannot answer "nothing
open" while the page lists an open exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workorders.platform.actor import Actor
from workorders.platform.models import Approval, ApprovalStatus, CaseException, ExceptionStatus
from workorders.platform.services.case_state import stored_outcomes
from workorders.platform.services.work_queue import may_decide


@dataclass
class CaseOutcomes:
    """What is open on the case, and what was closed or decided."""

    exceptions: list[CaseException] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    closed_exceptions: list[CaseException] = field(default_factory=list)
    decided_approvals: list[Approval] = field(default_factory=list)
    deciders: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.exceptions or self.approvals or self.closed_exceptions
                    or self.decided_approvals)


def case_outcomes(actor: Actor, case_id: int) -> CaseOutcomes:
    out = CaseOutcomes()
    stored = stored_outcomes(actor.tenant_id, case_id)
    for exc in stored.exceptions:
        (out.exceptions if exc.status == ExceptionStatus.OPEN.value
         else out.closed_exceptions).append(exc)
    for approval in stored.approvals:
        (out.approvals if approval.status == ApprovalStatus.PENDING.value
         else out.decided_approvals).append(approval)
        if may_decide(actor, approval):
            out.deciders.add(approval.id)
    return out
