"""``fortnox_invoice``: a Fortnox API v3 ``POST /3/invoices`` body.

Shape and field names follow the validators' erp-formats.md §2 (the softwerkab SDK
entities): ``{"Invoice": {..., "InvoiceRows": [...]}}`` with PascalCase keys and
amounts as JSON numbers (written exactly, never through float).

* ``CustomerNumber`` is the only field Fortnox refuses to live without: option
  ``customer_number`` (a template) or else the buyer's ``erp_id``.
* Our invoice number goes to ``ExternalInvoiceReference1`` and the case number to
  ``ExternalInvoiceReference2``; ``DocumentNumber`` is left to Fortnox's own series,
  which is numeric and would clash with a prefixed series like ``F1001``.
* ``ArticleNumber`` and ``Unit`` are sent only when mapped (``article_map``,
  ``unit_map``): Fortnox rejects articles and units it does not know, and its units
  (``tim``, ``st``) are per company, not UN/ECE.
* Credit notes: ``Credit`` and ``CreditInvoiceReference`` are read-only in the API, so
  a credit note is an invoice with negated quantities (Fortnox books a negative
  invoice as a credit invoice), naming the credited invoice in ``Remarks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..document import InvoiceDocument, Line
from ..errors import OptionError
from ..jsonout import dumps
from ..templating import erp_article, erp_unit, mapping_option, option_context, text_option
from .base import CREDITED_NUMBER, Format, Payload, Requirement, option_needs

CUSTOMER_NUMBER = Requirement(
    "buyer.erp_id", "The customer's Fortnox customer number is missing: fill in the "
    "customer's ERP id (it must be an existing customer in Fortnox).")


def render(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any]) -> Payload:
    context = option_context(doc, template_context)
    customer = text_option(options, "customer_number", context) if \
        options.get("customer_number") else doc.buyer.erp_id
    if not customer:
        raise OptionError("customer_number", "the customer has no Fortnox customer number")
    invoice: dict[str, Any] = {
        "CustomerNumber": customer,
        "InvoiceDate": doc.issue_date.isoformat(),
        "DueDate": doc.due_date.isoformat() if doc.due_date else None,
        "DeliveryDate": doc.delivery_date.isoformat() if doc.delivery_date else None,
        "Currency": doc.currency,
        "VATIncluded": False,
        "YourReference": text_option(options, "your_reference", context)
        or doc.case.customer_reference,
        "OurReference": text_option(options, "our_reference", context),
        "YourOrderNumber": doc.case.purchase_order or doc.case.buyer_reference,
        "ExternalInvoiceReference1": doc.number,
        "ExternalInvoiceReference2": doc.case.number,
        "Remarks": _remarks(doc),
        "InvoiceRows": [_row(doc, line, options) for line in doc.lines],
    }
    body = {"Invoice": {k: v for k, v in invoice.items() if v is not None}}
    return Payload(dumps(body).encode("utf-8"), "application/json", "json")


def _remarks(doc: InvoiceDocument) -> str | None:
    swedish = (doc.locale or "").lower().startswith("sv")
    parts = []
    if doc.is_credit_note:
        parts.append(f"Kreditering av faktura {doc.credited_number}" if swedish
                     else f"Credit note for invoice {doc.credited_number}")
    if doc.note:
        parts.append(doc.note)
    return "\n".join(parts) or None


def _row(doc: InvoiceDocument, line: Line, options: Mapping[str, Any]) -> dict[str, Any]:
    sign = Decimal(-1) if doc.is_credit_note else Decimal(1)
    row: dict[str, Any] = {
        "ArticleNumber": erp_article(line, mapping_option(options, "article_map")),
        "Description": line.description,
        "DeliveredQuantity": line.quantity * sign if line.quantity else line.quantity,
        "Unit": erp_unit(line, mapping_option(options, "unit_map")),
        "Price": line.unit_price,
        "VAT": line.vat_rate,
    }
    return {k: v for k, v in row.items() if v is not None}


def requirements(options: Mapping[str, Any]) -> list[Requirement]:
    return [*option_needs(options, "customer_number", CUSTOMER_NUMBER), CREDITED_NUMBER]


FORMAT = Format("fortnox_invoice", "Fortnox API v3 invoice", render, requirements)
