"""Building the invoice-ready document from plain inputs, with the arithmetic done here.

The platform hands over lines without amounts; this module computes every net
amount, the VAT breakdown and the totals with :mod:`workorders.definitions.money`
(line nets rounded half-up, summed per VAT code and rate, VAT rounded once per
category, as EN 16931 requires). Doing it in one place means no connector and no
caller can get a cent wrong, and reconciliation (captured = exported - credited)
adds up because form totals use the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from workorders.definitions import money

from .document import (
    DOCUMENT_KINDS,
    LINE_KINDS,
    VAT_CODES,
    Approval,
    Attachment,
    CaseRef,
    InvoiceDocument,
    Line,
    LineSource,
    Party,
    Payment,
    Totals,
    VatSubtotal,
)
from .errors import DocumentError

#: Codes whose rate must be 0, and those that need an exemption reason (BR-x-05, BR-x-10).
_ZERO_RATED = ("Z", "E", "AE", "K", "G", "O")
_NEEDS_REASON = ("E", "AE", "K", "G", "O")
_DEFAULT_REASONS = {"AE": ("Reverse charge", "VATEX-EU-AE"),
                    "K": ("Intra-community supply", "VATEX-EU-IC"),
                    "G": ("Export outside the EU", "VATEX-EU-G")}


@dataclass(frozen=True, slots=True, kw_only=True)
class LineInput:
    """A billable line as the platform knows it: no amounts, those are computed."""

    kind: str
    description: str
    quantity: Decimal | int | str
    unit_code: str
    unit_price: Decimal | int | str
    vat_category: str
    vat_rate: Decimal | int | str
    vat_code: str | None = None
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None
    article_number: str | None = None
    erp_article: str | None = None
    date: dt.date | None = None
    technician: str | None = None
    source: LineSource | None = None


def build_document(*, kind: str, number: str, issue_date: dt.date, currency: str,
                   seller: Party, buyer: Party, case: CaseRef, lines: Sequence[LineInput],
                   payment: Payment | None = None, credited_number: str | None = None,
                   credited_issue_date: dt.date | None = None, due_date: dt.date | None = None,
                   delivery_date: dt.date | None = None, locale: str | None = None,
                   attachments: Sequence[Attachment] = (), approvals: Sequence[Approval] = (),
                   note: str | None = None) -> InvoiceDocument:
    """The complete document; raises :class:`DocumentError` naming the faulty input."""
    if kind not in DOCUMENT_KINDS:
        raise DocumentError("kind", f"'{kind}' is not one of {', '.join(DOCUMENT_KINDS)}")
    if kind == "credit_note" and not credited_number:
        raise DocumentError("credited_number", "a credit note must name the credited invoice")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise DocumentError("currency", f"'{currency}' is not an ISO 4217 code")
    if not lines:
        raise DocumentError("lines", "an invoice needs at least one line")
    built = tuple(_line(i + 1, raw, currency) for i, raw in enumerate(lines))
    breakdown = _breakdown(built, lines, currency)
    totals = _totals(built, breakdown, currency)
    if kind == "credit_note" and totals.payable < 0:
        raise DocumentError("lines", "a credit note carries positive amounts; "
                            "credit the lines of the invoice as they were")
    if due_date is None and payment is not None and payment.terms_days is not None:
        due_date = issue_date + dt.timedelta(days=payment.terms_days)
    return InvoiceDocument(
        kind=kind, number=number, credited_number=credited_number,
        credited_issue_date=credited_issue_date, issue_date=issue_date, due_date=due_date,
        delivery_date=delivery_date, currency=currency, locale=locale, seller=seller,
        buyer=buyer, payment=payment, case=case, lines=built, vat_breakdown=breakdown,
        totals=totals, attachments=tuple(attachments), approvals=tuple(approvals), note=note)


def _number(value: object, path: str) -> Decimal:
    try:
        return money.to_decimal(value)
    except ValueError as exc:
        raise DocumentError(path, str(exc)) from exc


def _vat_code(raw: LineInput, rate: Decimal, path: str) -> str:
    code = raw.vat_code or ("S" if rate > 0 else "Z")
    if code not in VAT_CODES:
        raise DocumentError(f"{path}/vat_code", f"'{code}' is not a UNCL5305 VAT category")
    if code == "S" and rate <= 0:
        raise DocumentError(f"{path}/vat_rate", "standard-rated (S) lines need a rate above 0")
    if code in _ZERO_RATED and rate != 0:
        raise DocumentError(f"{path}/vat_rate", f"VAT category {code} must have rate 0")
    if code == "E" and not (raw.exemption_reason or raw.exemption_reason_code):
        raise DocumentError(f"{path}/exemption_reason",
                            "VAT-exempt (E) lines need an exemption reason text or VATEX code")
    return code


def _line(line_no: int, raw: LineInput, currency: str) -> Line:
    path = f"lines/{line_no - 1}"
    if raw.kind not in LINE_KINDS:
        raise DocumentError(f"{path}/kind", f"'{raw.kind}' is not one of {', '.join(LINE_KINDS)}")
    if not raw.description.strip():
        raise DocumentError(f"{path}/description", "a line needs a description")
    quantity = _number(raw.quantity, f"{path}/quantity")
    price = _number(raw.unit_price, f"{path}/unit_price")
    rate = _number(raw.vat_rate, f"{path}/vat_rate")
    if price < 0:
        raise DocumentError(f"{path}/unit_price", "a unit price cannot be negative (EN 16931 "
                            "BR-27); use a negative quantity")
    if rate < 0:
        raise DocumentError(f"{path}/vat_rate", "a VAT rate cannot be negative")
    code = _vat_code(raw, rate, path)
    return Line(line_no=line_no, kind=raw.kind, description=raw.description,
                article_number=raw.article_number, erp_article=raw.erp_article,
                quantity=quantity, unit_code=raw.unit_code, unit_price=price,
                vat_category=raw.vat_category, vat_code=code, vat_rate=rate,
                net_amount=money.line_net(quantity, price, currency), date=raw.date,
                technician=raw.technician, source=raw.source)


def _breakdown(lines: tuple[Line, ...], raw: Sequence[LineInput],
               currency: str) -> tuple[VatSubtotal, ...]:
    """One subtotal per (code, rate), in first-seen order; VAT rounded once per group."""
    groups: dict[tuple[str, Decimal], list[Decimal]] = {}
    reasons: dict[tuple[str, Decimal], tuple[str | None, str | None]] = {}
    for line, given in zip(lines, raw, strict=True):
        key = (line.vat_code, line.vat_rate.normalize())
        groups.setdefault(key, []).append(line.net_amount)
        reason = (given.exemption_reason, given.exemption_reason_code)
        if line.vat_code not in _NEEDS_REASON:
            continue
        if reason == (None, None):
            reason = _DEFAULT_REASONS.get(line.vat_code, (None, None))
        if reasons.setdefault(key, reason) != reason:
            raise DocumentError(f"lines/{line.line_no - 1}/exemption_reason",
                                f"lines in VAT category {line.vat_code} give different "
                                "exemption reasons; one category has one reason")
    result = []
    for (code, rate), nets in groups.items():
        taxable = money.money_sum(nets, currency)
        text, reason_code = reasons.get((code, rate), (None, None))
        result.append(VatSubtotal(vat_code=code, vat_rate=rate, taxable_amount=taxable,
                                  tax_amount=money.vat_amount(taxable, rate, currency),
                                  exemption_reason=text, exemption_reason_code=reason_code))
    return tuple(result)


def _totals(lines: tuple[Line, ...], breakdown: tuple[VatSubtotal, ...],
            currency: str) -> Totals:
    line_total = money.money_sum((x.net_amount for x in lines), currency)
    vat_total = money.money_sum((v.tax_amount for v in breakdown), currency)
    gross = money.round_money(line_total + vat_total, currency)
    return Totals(line_total=line_total, net=line_total, vat_total=vat_total, gross=gross,
                  payable=gross)
