"""Invoice readiness, computed every time from what exists (never a stored flag).

Ready iff the work is done (a work_complete state or a state only reachable
through one) and the data each of the tenant's connectors needs is present.
Exceptions, approvals and invoicing blocks raised by rules add their own
blockers here as the rules engine produces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workorders.connectors import missing_requirements
from workorders.connectors.from_bundle import seller_party
from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.platform.services.case_context import LoadedCase


@dataclass(frozen=True)
class Blocker:
    kind: str  # work | data | exception | approval | block
    reason: str
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule": self.rule, "reason": self.reason}


def partial_document(loaded: LoadedCase) -> dict[str, Any]:
    """What the invoice document will hold about parties and the case, before
    any line exists: enough for connectors to name the data they lack."""
    case, bundle = loaded.case, loaded.bundle
    seller: dict[str, Any] = {}
    if bundle.seller is not None:
        party = seller_party(bundle.seller)
        seller = {k: v for k, v in _plain(party).items() if v is not None}
    fields = case.fields or {}
    return {
        "kind": "invoice",
        "seller": seller,
        "buyer": dict(case.customer or {}),
        "case": {"number": case.number, "purchase_order": fields.get("purchase_order"),
                 "customer_reference": fields.get("customer_reference")},
        "lines": [],
    }


def _plain(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


def invoice_blockers(loaded: LoadedCase) -> list[Blocker]:
    blockers: list[Blocker] = []
    case, case_type = loaded.case, loaded.case_type
    if not is_work_complete_or_later(case_type, case.status):
        state = case_type.lifecycle.state(case.status)
        label = state.label if state else case.status
        blockers.append(Blocker("work", f"The work is not finished yet (the case is {label})."))
    doc = partial_document(loaded)
    for connector in loaded.bundle.connectors:
        for req in missing_requirements(connector.format, connector.options, doc):
            blockers.append(Blocker("data", f"{req.message} (needed by the {connector.id} "
                                            f"export)"))
    return blockers


__all__ = ["Blocker", "invoice_blockers", "partial_document"]
