"""The invoice-ready document: the one data contract every connector maps.

The platform builds it from a case (see :func:`workorders.connectors.build_document`);
connectors only read it and never see a database row. It is frozen, made of plain
values, tuples and ``Decimal`` (never float), and carries ``schema_version`` so a
receiver of the generic JSON can tell which contract it got. The JSON Schema in
``docs/invoice-document.schema.json`` is generated from these classes (field
descriptions come from the ``metadata`` below), so the two cannot drift apart.

Credit notes carry positive quantities and amounts and ``kind="credit_note"``, as
UBL's CreditNote does; formats that need negative numbers (ERPNext, Fortnox) negate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCHEMA_VERSION = "1.0"
DOCUMENT_KINDS = ("invoice", "credit_note")
LINE_KINDS = ("labor", "material", "fee")
ATTACHMENT_KINDS = ("photo", "signature")
DECISIONS = ("approve", "reject")
#: UNCL5305 VAT category codes that EN 16931 allows.
VAT_CODES = ("S", "Z", "E", "AE", "K", "G", "O", "L", "M")


def _m(description: str, **schema: Any) -> dict[str, Any]:
    """Field metadata for the JSON Schema: a description plus schema keywords."""
    return {"description": description, **schema}


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    street: str | None = field(default=None, metadata=_m("Street and number"))
    city: str | None = field(default=None, metadata=_m("City"))
    postal_code: str | None = field(default=None, metadata=_m("Postal code"))
    country: str | None = field(
        default=None, metadata=_m("ISO 3166-1 alpha-2 country code", pattern="^[A-Z]{2}$"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    name: str = field(metadata=_m("Legal name"))
    erp_id: str | None = field(
        default=None, metadata=_m("The party's number in the receiving ERP (customer number)"))
    org_number: str | None = field(
        default=None, metadata=_m("Organisation number (legal registration id)"))
    vat_id: str | None = field(
        default=None, metadata=_m("VAT identifier with country prefix, e.g. SE556677889901"))
    peppol_id: str | None = field(
        default=None, metadata=_m("Peppol endpoint '<EAS scheme>:<id>', e.g. 0007:5566778899",
                                  pattern="^[0-9]{4}:.+$"))
    email: str | None = field(default=None, metadata=_m("Invoice e-mail address"))
    phone: str | None = field(default=None, metadata=_m("Telephone"))
    address: Address | None = field(default=None, metadata=_m("Postal address"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    means_code: str = field(
        metadata=_m("UNCL4461 payment means code, e.g. 30 credit transfer, 58 SEPA"))
    account: str | None = field(
        default=None, metadata=_m("Payee account (IBAN, Bankgiro, BBAN...)"))
    account_scheme: str | None = field(
        default=None, metadata=_m("Account kind, e.g. SE:BANKGIRO, SE:PLUSGIRO, IBAN"))
    bic: str | None = field(default=None, metadata=_m("Bank identifier (BIC) for IBAN accounts"))
    terms_days: int | None = field(default=None, metadata=_m("Payment terms in days", minimum=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRef:
    number: str = field(metadata=_m("The case number, e.g. INST-2026-0042"))
    id: str = field(metadata=_m("The case id in the platform"))
    case_type: str = field(metadata=_m("The case type id from the bundle"))
    title: str | None = field(default=None, metadata=_m("The case title"))
    buyer_reference: str | None = field(
        default=None, metadata=_m("The buyer's reference (Peppol BT-10), when given"))
    purchase_order: str | None = field(
        default=None, metadata=_m("The buyer's purchase order number (BT-13)"))
    customer_reference: str | None = field(
        default=None, metadata=_m("The customer's own reference or contact"))


@dataclass(frozen=True, slots=True, kw_only=True)
class LineSource:
    submission_id: str = field(metadata=_m("The submission the line came from"))
    revision: int = field(metadata=_m("The submission revision", minimum=1))
    field_id: str = field(
        metadata=_m("The form field (time_entries or material_lines) holding the line"))
    line_index: int = field(metadata=_m("Index of the entry within that field", minimum=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    line_no: int = field(metadata=_m("1-based line number in the document", minimum=1))
    kind: str = field(metadata=_m("labor, material or fee", enum=list(LINE_KINDS)))
    description: str = field(metadata=_m("What was done or delivered"))
    article_number: str | None = field(
        default=None, metadata=_m("Catalog article number, or labour code for labour"))
    erp_article: str | None = field(
        default=None, metadata=_m("The article number in the ERP, when the platform mapped it"))
    quantity: Decimal = field(metadata=_m("Quantity (positive also on credit notes)"))
    unit_code: str = field(metadata=_m("UN/ECE Recommendation 20 unit code, e.g. HUR, EA, MTR"))
    unit_price: Decimal = field(metadata=_m("Net price per unit, excluding VAT"))
    vat_category: str = field(metadata=_m("The bundle's VAT category name, e.g. standard"))
    vat_code: str = field(metadata=_m("UNCL5305 VAT category code", enum=list(VAT_CODES)))
    vat_rate: Decimal = field(metadata=_m("VAT rate in percent"))
    net_amount: Decimal = field(
        metadata=_m("quantity x unit_price rounded half-up to the currency's minor unit"))
    date: dt.date | None = field(default=None, metadata=_m("When the work was done (time entries)"))
    technician: str | None = field(default=None, metadata=_m("Who did the work (time entries)"))
    source: LineSource | None = field(
        default=None, metadata=_m("The submission line this line came from"))


@dataclass(frozen=True, slots=True, kw_only=True)
class VatSubtotal:
    vat_code: str = field(metadata=_m("UNCL5305 VAT category code", enum=list(VAT_CODES)))
    vat_rate: Decimal = field(metadata=_m("VAT rate in percent"))
    taxable_amount: Decimal = field(
        metadata=_m("Sum of the rounded line net amounts in this category"))
    tax_amount: Decimal = field(
        metadata=_m("taxable_amount x rate / 100, rounded once per category"))
    exemption_reason: str | None = field(
        default=None, metadata=_m("Why no VAT is charged (BT-120), for E, AE, K, G, O"))
    exemption_reason_code: str | None = field(
        default=None, metadata=_m("VATEX code (BT-121), e.g. VATEX-EU-AE"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    line_total: Decimal = field(metadata=_m("Sum of line net amounts (BT-106)"))
    net: Decimal = field(metadata=_m("Total without VAT (BT-109)"))
    vat_total: Decimal = field(metadata=_m("Sum of the VAT breakdown tax amounts (BT-110)"))
    gross: Decimal = field(metadata=_m("Total with VAT (BT-112)"))
    payable: Decimal = field(metadata=_m("Amount due (BT-115)"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    kind: str = field(metadata=_m("photo or signature", enum=list(ATTACHMENT_KINDS)))
    url: str = field(metadata=_m("Signed link to the file"))
    sha256: str = field(metadata=_m("SHA-256 of the file's bytes, hex", pattern="^[0-9a-f]{64}$"))
    content_type: str = field(metadata=_m("Media type, e.g. image/jpeg"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Approval:
    rule: str = field(metadata=_m("The rule that asked for the approval"))
    decided_by: str = field(metadata=_m("Who decided (e-mail)"))
    decision: str = field(metadata=_m("approve or reject", enum=list(DECISIONS)))
    at: dt.datetime = field(metadata=_m("When the decision was made"))
    comment: str | None = field(default=None, metadata=_m("The decider's comment"))


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceDocument:
    schema_version: str = field(
        default=SCHEMA_VERSION, metadata=_m("Version of this contract", const=SCHEMA_VERSION))
    kind: str = field(metadata=_m("invoice or credit_note", enum=list(DOCUMENT_KINDS)))
    number: str = field(metadata=_m("Invoice or credit note number from the seller's series"))
    credited_number: str | None = field(
        default=None, metadata=_m("For a credit note: the number of the credited invoice"))
    credited_issue_date: dt.date | None = field(
        default=None, metadata=_m("For a credit note: the credited invoice's date"))
    issue_date: dt.date = field(metadata=_m("Issue date"))
    due_date: dt.date | None = field(
        default=None, metadata=_m("Payment due date (issue date + terms when not given)"))
    delivery_date: dt.date | None = field(default=None, metadata=_m("When the work was completed"))
    currency: str = field(metadata=_m("ISO 4217 currency code", pattern="^[A-Z]{3}$"))
    locale: str | None = field(
        default=None, metadata=_m("The bundle's locale, e.g. sv-SE (CSV decimals, texts)"))
    seller: Party = field(metadata=_m("The tenant issuing the invoice"))
    buyer: Party = field(metadata=_m("The customer"))
    payment: Payment | None = field(default=None, metadata=_m("How to pay"))
    case: CaseRef = field(metadata=_m("The case invoiced"))
    lines: tuple[Line, ...] = field(metadata=_m("Invoice lines", minItems=1))
    vat_breakdown: tuple[VatSubtotal, ...] = field(
        metadata=_m("One entry per VAT code and rate", minItems=1))
    totals: Totals = field(metadata=_m("Document totals"))
    attachments: tuple[Attachment, ...] = field(metadata=_m("Photo and signature links"))
    approvals: tuple[Approval, ...] = field(metadata=_m("The approval trail"))
    note: str | None = field(default=None, metadata=_m("Free text for the invoice"))

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"
