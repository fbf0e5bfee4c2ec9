"""Reconciliation: did every billable amount reach the ERP exactly once?

Per case and connector: ``captured`` (the billable net of every form's latest
final revision, priced as the invoice is) against ``exported - credited`` (the
net of every invoice minus every credit note the receiver acknowledged, i.e.
delivered). The difference must be 0.00 and nothing may still be on its way: an
export that is pending, delivering, failed or dead is listed with its amount and
keeps the row unreconciled, because the ERP has not booked it (an issued number
alone proves nothing).

Which cases are checked: every case with at least one export, and every case
in a final, work-complete-or-later state (e.g. ``invoiced``) whose definition
has connectors: such a case should have gone out, so a missing export shows as
a difference instead of being invisible. Cases still in progress, or ready but
not yet invoiced, are not (their difference is expected, not a leak).
The exports are read with the exports list's own query (``tenant_exports``), so
the page, the CLI and the exports list always count the same documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.money import round_money
from workorders.platform.extensions import db
from workorders.platform.models import Case, Export, ExportKind, ExportStatus
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.export_queries import ExportFilters, tenant_exports
from workorders.platform.services.invoice_document import case_lines

ZERO = Decimal(0)


@dataclass(frozen=True)
class Undelivered:
    """An issued document the ERP has not acknowledged (yet, or ever)."""

    id: int
    kind: str
    invoice_number: str
    status: str
    net_amount: Decimal

    def describe(self, currency: str) -> str:
        return (f"{self.status} {self.kind.replace('_', ' ')} {self.invoice_number}: "
                f"{self.net_amount} {currency}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "invoice_number": self.invoice_number,
                "status": self.status, "net_amount": str(self.net_amount)}


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
    undelivered: tuple[Undelivered, ...] = ()

    @property
    def difference(self) -> Decimal:
        return round_money(self.captured_net - (self.exported_net - self.credited_net),
                           self.currency)

    @property
    def reconciled(self) -> bool:
        return self.difference == 0 and not self.undelivered

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "number": self.number, "status": self.status,
                "connector": self.connector, "currency": self.currency,
                "captured_net": str(self.captured_net), "exported_net": str(self.exported_net),
                "credited_net": str(self.credited_net), "difference": str(self.difference),
                "reconciled": self.reconciled,
                "undelivered": [u.to_dict() for u in self.undelivered]}


@dataclass
class _Books:
    """One case and connector's exports: delivered sums per kind, the rest listed."""

    delivered: dict[str, Decimal]
    undelivered: list[Undelivered]


def _books(tenant_id: int, case_ids: list[int]) -> dict[tuple[int, str], _Books]:
    exports = db.session.execute(tenant_exports(tenant_id, ExportFilters())
                                 .where(Export.case_id.in_(case_ids))
                                 .order_by(Export.id)).scalars()
    books: dict[tuple[int, str], _Books] = {}
    for export in exports:
        book = books.setdefault((export.case_id, export.connector_id), _Books({}, []))
        net = round_money(Decimal(export.net_amount or 0), export.currency)
        if export.status == ExportStatus.DELIVERED.value:
            book.delivered[export.kind] = book.delivered.get(export.kind, ZERO) + net
        else:
            book.undelivered.append(Undelivered(export.id, export.kind, export.invoice_number,
                                                export.status, net))
    return books


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
        books = _books(tenant_id, [c.id for c in batch])
        for case in batch:
            last_id = case.id
            found = _case_rows(case, books)
            rows += found
            scanned += 1 if found else 0
            if limit is not None and scanned >= limit:
                return rows, last_id
    return rows, None


def _case_rows(case: Case, books: dict[tuple[int, str], _Books]) -> list[Reconciled]:
    loaded = _loaded(case)
    if loaded is None:
        return []
    connectors = sorted({c for (cid, c) in books if cid == case.id})
    if not connectors and not _should_have_gone_out(loaded):
        return []
    if not connectors:
        connectors = [c.id for c in loaded.bundle.connectors]
    currency = loaded.bundle.currency
    captured = round_money(case_lines(loaded).net, currency)

    def row(connector: str) -> Reconciled:
        book = books.get((case.id, connector), _Books({}, []))

        def total(kind: ExportKind) -> Decimal:
            return round_money(book.delivered.get(kind.value, ZERO), currency)

        return Reconciled(case.id, case.number, case.status, connector, currency, captured,
                          total(ExportKind.INVOICE), total(ExportKind.CREDIT_NOTE),
                          tuple(book.undelivered))

    return [row(connector) for connector in connectors]


def _case_batches(tenant_id: int, after: int | None, size: int = 200) -> Iterator[list[Case]]:
    last = after or 0
    while True:
        batch = list(db.session.execute(select(Case).where(
            Case.tenant_id == tenant_id, Case.id > last).order_by(Case.id).limit(size)).scalars())
        if not batch:
            return
        yield batch
        last = batch[-1].id
