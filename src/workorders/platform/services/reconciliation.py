"""Reconciliation: did every billable amount go out exactly once?

Per case and connector: ``captured`` (the billable net of every form's latest
final revision, priced as the invoice is) against ``exported - credited`` (the
net of every invoice issued minus every credit note). The difference must be
0.00; anything else is money lost (work not invoiced) or doubled.

Which cases are checked: every case with at least one export, and every case
in a final, work-complete-or-later state (e.g. ``invoiced``) whose definition
has connectors: such a case should have gone out, so a missing export shows as
a difference instead of being invisible. Cases still in progress, or ready but
not yet invoiced, are not (their difference is expected, not a leak).
Every issued document counts, delivered or not: its number is in the books.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.money import round_money
from workorders.platform.extensions import db
from workorders.platform.models import Case, Export, ExportKind
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.invoice_document import case_lines

ZERO = Decimal(0)


@dataclass(frozen=True)
class Reconciled:
    case_id: int
    number: str
    status: str
    connector: str
    currency: str
    captured_net: Decimal
    exported_net: Decimal
    credited_net: Decimal

    @property
    def difference(self) -> Decimal:
        return round_money(self.captured_net - (self.exported_net - self.credited_net),
                           self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "number": self.number, "status": self.status,
                "connector": self.connector, "currency": self.currency,
                "captured_net": str(self.captured_net), "exported_net": str(self.exported_net),
                "credited_net": str(self.credited_net), "difference": str(self.difference)}


def _sums(tenant_id: int, case_ids: list[int]) -> dict[tuple[int, str], dict[str, Decimal]]:
    rows = db.session.execute(select(
        Export.case_id, Export.connector_id, Export.kind, func.sum(Export.net_amount))
        .where(Export.tenant_id == tenant_id, Export.case_id.in_(case_ids))
        .group_by(Export.case_id, Export.connector_id, Export.kind))
    sums: dict[tuple[int, str], dict[str, Decimal]] = {}
    for case_id, connector, kind, total in rows:
        sums.setdefault((case_id, connector), {})[kind] = Decimal(total or 0)
    return sums


def _should_have_gone_out(loaded: LoadedCase) -> bool:
    state = loaded.case_type.lifecycle.state(loaded.case.status)
    return bool(loaded.bundle.connectors) and state is not None and state.final \
        and is_work_complete_or_later(loaded.case_type, loaded.case.status)


def _loaded(case: Case) -> LoadedCase | None:
    bundle = bundle_of(case.definition)
    case_type = bundle.case_type(case.case_type)
    return LoadedCase(case, bundle, case_type) if case_type is not None else None


def reconcile(tenant_id: int, *, limit: int | None = None,
              after: int | None = None) -> tuple[list[Reconciled], int | None]:
    """Rows for cases with id > ``after`` (at most ``limit`` cases), and the last
    case id looked at (the cursor) when more may follow."""
    rows: list[Reconciled] = []
    last_id: int | None = None
    scanned = 0
    for batch in _case_batches(tenant_id, after):
        sums = _sums(tenant_id, [c.id for c in batch])
        for case in batch:
            last_id = case.id
            found = _case_rows(case, sums)
            rows += found
            scanned += 1 if found else 0
            if limit is not None and scanned >= limit:
                return rows, last_id
    return rows, None


def _case_rows(case: Case, sums: dict[tuple[int, str], dict[str, Decimal]]) -> list[Reconciled]:
    loaded = _loaded(case)
    if loaded is None:
        return []
    connectors = sorted({c for (cid, c) in sums if cid == case.id})
    if not connectors and not _should_have_gone_out(loaded):
        return []
    if not connectors:
        connectors = [c.id for c in loaded.bundle.connectors]
    currency = loaded.bundle.currency
    captured = round_money(case_lines(loaded).net, currency)

    def total(connector: str, kind: ExportKind) -> Decimal:
        return round_money(sums.get((case.id, connector), {}).get(kind.value, ZERO), currency)

    return [Reconciled(case.id, case.number, case.status, connector, currency, captured,
                       total(connector, ExportKind.INVOICE),
                       total(connector, ExportKind.CREDIT_NOTE))
            for connector in connectors]


def _case_batches(tenant_id: int, after: int | None, size: int = 200) -> Iterator[list[Case]]:
    last = after or 0
    while True:
        batch = list(db.session.execute(select(Case).where(
            Case.tenant_id == tenant_id, Case.id > last).order_by(Case.id).limit(size)).scalars())
        if not batch:
            return
        yield batch
        last = batch[-1].id
