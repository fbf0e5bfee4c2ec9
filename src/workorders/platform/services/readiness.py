"""Invoice readiness, computed every time from what exists (never a stored flag).

Ready iff the work is done (``rules.readiness.work_blocker``), no invoicing
block is active, no approval is pending, no open exception of a blocking
severity (high, critical) remains, and the data each of the tenant's
connectors needs is present. Every blocker says why, and which rule raised it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, select, union_all

from workorders.connectors import missing_requirements
from workorders.connectors.from_bundle import seller_party, seller_payment
from workorders.platform.extensions import db
from workorders.platform.models import (
    Approval,
    ApprovalStatus,
    CaseException,
    ExceptionStatus,
    InvoiceBlock,
)
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.case_state import stored_outcomes
from workorders.rules.readiness import (
    BLOCKING_SEVERITIES,
    Blocker,
    approval_blocker,
    data_blocker,
    exception_blocker,
    exception_blocks,
    work_blocker,
)


def partial_document(loaded: LoadedCase) -> dict[str, Any]:
    """What the invoice document will hold about parties and the case, before
    any line exists: enough for connectors to name the data they lack."""
    case, bundle = loaded.case, loaded.bundle
    seller: dict[str, Any] = {}
    payment: dict[str, Any] | None = None
    if bundle.seller is not None:
        seller = {k: v for k, v in asdict(seller_party(bundle.seller)).items() if v is not None}
        paid = seller_payment(bundle.seller)  # credit transfers need the account and terms
        payment = asdict(paid) if paid is not None else None
    fields = case.fields or {}
    return {
        "kind": "invoice", "seller": seller, "payment": payment,
        "buyer": dict(case.customer or {}),
        "case": {"number": case.number, "purchase_order": fields.get("purchase_order"),
                 "customer_reference": fields.get("customer_reference")},
        "lines": [],
    }


def _outcome_sources() -> list[tuple[Any, ColumnElement[bool]]]:
    """The stored outcomes that block invoicing, as (model, condition): the one
    definition behind a case's blockers, the case list's counts and its filter."""
    return [
        (InvoiceBlock, InvoiceBlock.status == "active"),
        (Approval, Approval.status == ApprovalStatus.PENDING.value),
        (CaseException, and_(CaseException.status == ExceptionStatus.OPEN.value,
                             CaseException.severity.in_(sorted(BLOCKING_SEVERITIES)))),
    ]


def outcome_blockers(tenant_id: int, case_id: int) -> list[Blocker]:
    """The stored outcomes that block invoicing the case, blocks first."""
    stored = stored_outcomes(tenant_id, case_id)
    found = [Blocker("block", block.reason, block.rule_id)
             for block in stored.blocks if block.status == "active"]
    found += [approval_blocker(approval.approver, approval.reason, approval.rule_id)
              for approval in stored.approvals
              if approval.status == ApprovalStatus.PENDING.value]
    found += [exception_blocker(exc.code, exc.severity, exc.message, exc.rule_id)
              for exc in stored.exceptions
              if exc.status == ExceptionStatus.OPEN.value and exception_blocks(exc.severity)]
    return found


def outcome_counts(case_ids: list[int]) -> dict[int, int]:
    """How many stored outcomes block each case: one query for a page, one per
    thousand cases for a long CSV (the database's bound-parameter limits)."""
    counts: dict[int, int] = {}
    for at in range(0, len(case_ids), 1000):
        chunk = case_ids[at:at + 1000]
        parts = [select(model.case_id.label("case_id")).where(cond, model.case_id.in_(chunk))
                 for model, cond in _outcome_sources()]
        rows = union_all(*parts).subquery()
        counted = select(rows.c.case_id, func.count()).group_by(rows.c.case_id)
        counts.update({int(cid): int(n) for cid, n in db.session.execute(counted).all()})
    return counts


def no_outcome_blockers(case_id: Any) -> ColumnElement[bool]:
    """SQL: no stored outcome blocks invoicing the case ``case_id`` (a column)."""
    return and_(*(not_(exists().where(model.case_id == case_id, cond))
                  for model, cond in _outcome_sources()))


def data_blockers(loaded: LoadedCase) -> list[Blocker]:
    """What each of the bundle's connectors still misses in the case's data."""
    doc = partial_document(loaded)
    return [data_blocker(req.message, connector.id)
            for connector in loaded.bundle.connectors
            for req in missing_requirements(connector.format, connector.options, doc)]


def invoice_blockers(loaded: LoadedCase) -> list[Blocker]:
    blockers: list[Blocker] = []
    work = work_blocker(loaded.case_type, loaded.case.status)
    if work is not None:
        blockers.append(work)
    blockers += outcome_blockers(loaded.case.tenant_id, loaded.case.id)
    blockers += data_blockers(loaded)
    return blockers


__all__ = ["Blocker", "data_blockers", "invoice_blockers", "no_outcome_blockers",
           "outcome_blockers", "outcome_counts", "partial_document"]
