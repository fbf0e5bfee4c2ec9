"""Where ``transition`` actions take a case, checked like any other transition.

A rule acts as role ``system``; its transition happens only when the lifecycle
engine (``definitions.lifecycle.check``) finds every requirement met: the case is
in a ``from`` state, ``requires`` attributes are set, ``requires_forms`` have a
final submission, and ``requires_invoice_ready`` sees no blocker. Each refused
transition is reported with all its unmet requirements instead of being
applied anyway. Used by the golden tests for ``expect.status``; the platform
performs the transitions through its own service with the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workorders.definitions.lifecycle import SYSTEM_ROLE, CaseSnapshot, check
from workorders.definitions.model import CaseType
from workorders.rules.outcomes import Outcome
from workorders.rules.readiness import invoice_readiness


def _set(value: Any) -> Any:
    """An object without its unset keys (so ``{name: None}`` is not "present")."""
    if isinstance(value, Mapping):
        kept = {k: _set(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    return value


def case_attributes(case: Mapping[str, Any]) -> dict[str, Any]:
    """The lifecycle engine's view of ``document["case"]`` (assignee as an email)."""
    assignee = case.get("assignee")
    return {
        "assignee": assignee.get("email") if isinstance(assignee, Mapping) else assignee,
        "scheduled_start": case.get("scheduled_start"),
        "scheduled_end": case.get("scheduled_end"),
        "customer": _set(case.get("customer") or {}),
        "site": _set(case.get("site") or {}),
        "fields": _set(case.get("fields") or {}),
    }


def status_after(case_type: CaseType, status: str, outcomes: Sequence[Outcome], *,
                 case: Mapping[str, Any], final_forms: Iterable[str] = ()
                 ) -> tuple[str, list[str]]:
    """(status after the ``transition`` outcomes in order, why any was refused)."""
    attributes, finals = case_attributes(case), frozenset(final_forms)
    refused: list[str] = []
    for outcome in outcomes:
        if outcome.kind != "transition":
            continue
        blockers = tuple(b.reason for b in
                         invoice_readiness(case_type, status, outcomes).blockers)
        snapshot = CaseSnapshot(status, frozenset({SYSTEM_ROLE}), False, attributes, finals,
                                blockers)
        result = check(case_type, outcome.params["id"], snapshot)
        if result is None:
            refused.append(f"rule {outcome.rule}: unknown transition '{outcome.params['id']}'")
        elif result.unmet:
            reasons = "; ".join(u.message for u in result.unmet)
            refused.append(f"rule {outcome.rule}: transition '{outcome.params['id']}' "
                           f"refused: {reasons}")
        else:
            status = result.transition.to
    return status, refused
