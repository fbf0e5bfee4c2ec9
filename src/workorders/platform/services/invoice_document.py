"""The invoice-ready document of a case, built from stored rows.

The connectors package computes every amount (``build_document``); this module
only gathers its inputs: the seller from the case's pinned bundle, the buyer
from the booking, and one line per billable priced line of every form's latest
final or correction revision, priced by ``forms.compute_totals`` exactly as the
rules' ``totals.*`` facts are, so reconciliation adds up to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workorders.connectors import (
    Address,
    Approval,
    Attachment,
    CaseRef,
    InvoiceDocument,
    LineInput,
    LineSource,
    Party,
    build_document,
    seller_party,
    seller_payment,
)
from workorders.definitions import money
from workorders.errors import Conflict
from workorders.forms import compute_totals
from workorders.platform.extensions import db
from workorders.platform.models import Approval as ApprovalRow
from workorders.platform.models import ApprovalStatus, Submission
from workorders.platform.models import Attachment as AttachmentRow
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.rule_facts import fact_document, latest_finals

PARTY_TEXT = ("erp_id", "org_number", "vat_id", "peppol_id", "email", "phone")
ADDRESS_KEYS = ("street", "city", "postal_code", "country")
DECISIONS = {ApprovalStatus.APPROVED.value: "approve", ApprovalStatus.REJECTED.value: "reject"}


@dataclass(frozen=True)
class CaseLines:
    """What a case bills right now: the lines, their net total and where they came from."""

    lines: list[LineInput]
    net: Decimal
    finals: dict[str, Submission]


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None


def buyer_of(customer: Mapping[str, Any]) -> Party:
    address = customer.get("address") if isinstance(customer.get("address"), Mapping) else None
    return Party(name=str(customer.get("name") or ""),
                 **{k: _text(customer.get(k)) for k in PARTY_TEXT},
                 address=Address(**{k: _text(address.get(k)) for k in ADDRESS_KEYS})
                 if address else None)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _price(price: Decimal, currency: str) -> Decimal:
    """At least the currency's minor unit (catalog 695.0 is written 695.00), never
    fewer decimals than given (a price of 12.345 stays exact)."""
    minor = money.quantum(currency)
    given, wanted = price.as_tuple().exponent, minor.as_tuple().exponent
    if isinstance(given, int) and isinstance(wanted, int) and given > wanted:
        return price.quantize(minor)
    return price


def case_lines(loaded: LoadedCase) -> CaseLines:
    """Billable lines of the latest final revisions, in the case type's form order."""
    finals = latest_finals(loaded.case)
    pairs = [(form, finals[form.id].data) for form in loaded.bundle.forms_of(loaded.case_type.id)
             if form.id in finals]
    totals = compute_totals(pairs, loaded.bundle)
    lines = []
    for priced in totals.lines:
        if not priced.billable:
            continue
        source = finals[priced.form_id]
        lines.append(LineInput(
            kind=priced.kind, description=priced.description, quantity=priced.quantity,
            unit_code=priced.unit, unit_price=_price(priced.unit_price, loaded.bundle.currency),
            vat_category=priced.vat_category, vat_rate=priced.vat_rate,
            article_number=priced.code, date=_date(priced.date), technician=priced.technician,
            source=LineSource(submission_id=str(source.id), revision=source.revision,
                              field_id=priced.field_id, line_index=priced.index)))
    return CaseLines(lines, totals.net_amount, finals)


def _attachment_ids(loaded: LoadedCase, finals: Mapping[str, Submission]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for form in loaded.bundle.forms_of(loaded.case_type.id):
        data = finals[form.id].data if form.id in finals else None
        for field in form.fields if data else ():
            value = data.get(field.id) if data else None
            if field.type == "photos" and isinstance(value, list):
                found += [("photo", str(v)) for v in value if isinstance(v, str)]
            elif field.type == "signature" and isinstance(value, Mapping) and value.get("image"):
                found.append(("signature", str(value["image"])))
    return found


def attachments_of(loaded: LoadedCase, finals: Mapping[str, Submission]) -> list[Attachment]:
    """Photo and signature links: the staff page of each file (sign-in needed), a
    stable URL, so the same case gives the same document on every export."""
    from workorders.platform.services.customer_links import external_url

    wanted = list(dict.fromkeys(_attachment_ids(loaded, finals)))  # once each, in order
    rows = {a.id: a for a in db.session.execute(select(AttachmentRow).where(
        AttachmentRow.tenant_id == loaded.case.tenant_id,
        AttachmentRow.id.in_([i for _, i in wanted]))).scalars()}
    return [Attachment(kind=kind, url=external_url("web.page_attachment", attachment_id=ident),
                       sha256=rows[ident].sha256, content_type=rows[ident].content_type)
            for kind, ident in wanted if ident in rows]


def approvals_of(case_id: int) -> list[Approval]:
    decided = db.session.execute(select(ApprovalRow).where(
        ApprovalRow.case_id == case_id, ApprovalRow.status.in_(list(DECISIONS)))
        .order_by(ApprovalRow.id)).scalars()
    return [Approval(rule=a.rule_id, decided_by=a.decided_by or "", decision=DECISIONS[a.status],
                     at=a.decided_at or a.created_at, comment=a.comment) for a in decided]


def case_ref(loaded: LoadedCase) -> CaseRef:
    case, fields = loaded.case, loaded.case.fields or {}
    return CaseRef(number=case.number, id=str(case.id), case_type=case.case_type,
                   title=case.title, buyer_reference=_text(fields.get("buyer_reference")),
                   purchase_order=_text(fields.get("purchase_order")),
                   customer_reference=_text(fields.get("customer_reference")))


def delivery_date(lines: Iterable[LineInput], finals: Mapping[str, Submission]) -> dt.date | None:
    """The last day work was recorded on, else the day the last report was final."""
    days = [ln.date for ln in lines if ln.date is not None]
    if days:
        return max(days)
    stamps = [s.created_at for s in finals.values()]
    return max(stamps).date() if stamps else None


def template_context(loaded: LoadedCase) -> dict[str, Any]:
    """The facts connector option templates read (``case.customer.erp_id``...): the
    same names the rules' templates see, every declared field present (None when
    not set), so ``case.fields.po or case.number`` works on a case without a PO."""
    from workorders.rules.render import template_context as rules_context

    return rules_context(fact_document(loaded, None, None), loaded.bundle,
                         loaded.case_type.id)


def invoice_document(loaded: LoadedCase, *, number: str, issue_date: dt.date,
                     billed: CaseLines | None = None) -> InvoiceDocument:
    """The case's invoice as it stands now; 409 when there is nothing to bill."""
    bundle = loaded.bundle
    if bundle.seller is None:
        raise Conflict("the definition has no seller: an admin adds one before invoicing")
    billed = billed or case_lines(loaded)
    if not billed.lines:
        raise Conflict(f"case {loaded.case.number} has no billable lines to invoice")
    return build_document(
        kind="invoice", number=number, issue_date=issue_date, currency=bundle.currency,
        locale=bundle.locale, seller=seller_party(bundle.seller),
        payment=seller_payment(bundle.seller), buyer=buyer_of(loaded.case.customer or {}),
        case=case_ref(loaded), lines=billed.lines,
        delivery_date=delivery_date(billed.lines, billed.finals),
        attachments=attachments_of(loaded, billed.finals),
        approvals=approvals_of(loaded.case.id))


def _line_inputs(doc: InvoiceDocument) -> list[LineInput]:
    reasons = {(v.vat_code, v.vat_rate): (v.exemption_reason, v.exemption_reason_code)
               for v in doc.vat_breakdown}
    return [LineInput(kind=ln.kind, description=ln.description, quantity=ln.quantity,
                      unit_code=ln.unit_code, unit_price=ln.unit_price,
                      vat_category=ln.vat_category, vat_rate=ln.vat_rate, vat_code=ln.vat_code,
                      exemption_reason=reasons.get((ln.vat_code, ln.vat_rate), (None, None))[0],
                      exemption_reason_code=reasons.get((ln.vat_code, ln.vat_rate),
                                                        (None, None))[1],
                      article_number=ln.article_number, erp_article=ln.erp_article,
                      date=ln.date, technician=ln.technician, source=ln.source)
            for ln in doc.lines]


def credit_note_for(invoice: InvoiceDocument, *, number: str,
                    issue_date: dt.date) -> InvoiceDocument:
    """A credit note of ``invoice`` as it was sent: the same parties, case and
    lines (not today's), so it cancels exactly what the receiver booked."""
    return build_document(
        kind="credit_note", number=number, issue_date=issue_date, currency=invoice.currency,
        locale=invoice.locale, seller=invoice.seller, payment=invoice.payment,
        buyer=invoice.buyer, case=invoice.case, lines=_line_inputs(invoice),
        credited_number=invoice.number, credited_issue_date=invoice.issue_date,
        delivery_date=invoice.delivery_date, attachments=invoice.attachments,
        approvals=invoice.approvals, note=f"Credits invoice {invoice.number}")
