"""``erpnext_sales_invoice``: an ERPNext (v15) Sales Invoice for ``POST /api/resource``.

Field names are the DocType's own (checked in the tests against ERPNext 15.90.0's
DocType JSON with the validators' ``erpnext_fields.py``):

* header: ``customer`` (option template, default the buyer's ``erp_id``), ``company``,
  ``posting_date`` with ``set_posting_time`` so ERPNext keeps our date, ``due_date``,
  ``currency``, ``po_no``, ``remarks``, ``cost_center``;
* ``items``: ``item_code`` only when mapped (``article_map``; ERPNext rejects unknown
  items), ``item_name``, ``description``, ``qty``, ``uom`` (``unit_map``, else the
  UN/ECE code), ``conversion_factor`` 1, ``rate``, ``income_account``, ``cost_center``;
* ``taxes``: one ``Actual`` row per VAT breakdown entry carrying our rounded amount,
  so ERPNext's totals equal the document's to the cent whatever its own rounding. The
  VAT ``account_head`` is not in the bundle, so the receiving side (a Sales Taxes and
  Charges template or the receiving method) supplies it;
* credit notes: ``is_return`` 1 and ``return_against`` the credited invoice, with
  negative ``qty`` and tax amounts as ERPNext's own ``make_return_doc`` produces.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..document import InvoiceDocument, Line, VatSubtotal
from ..errors import OptionError
from ..jsonout import dumps
from ..serialize import plain
from ..templating import erp_article, erp_unit, mapping_option, option_context, text_option
from .base import CREDITED_NUMBER, Format, Payload, Requirement, option_needs

CUSTOMER = Requirement(
    "buyer.erp_id", "The customer's ERPNext customer id is missing: fill in the customer's "
    "ERP id (the Customer's name in ERPNext).")
_ITEM_NAME_MAX = 140


def render(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any]) -> Payload:
    context = option_context(doc, template_context)
    customer = text_option(options, "customer", context) if options.get("customer") \
        else doc.buyer.erp_id
    if not customer:
        raise OptionError("customer", "the customer has no ERPNext customer id")
    sign = Decimal(-1) if doc.is_credit_note else Decimal(1)
    invoice: dict[str, Any] = {
        "doctype": "Sales Invoice",
        "customer": customer,
        "company": text_option(options, "company", context),
        "posting_date": doc.issue_date.isoformat(),
        "set_posting_time": 1,
        "due_date": doc.due_date.isoformat() if doc.due_date else None,
        "currency": doc.currency,
        "po_no": doc.case.purchase_order or doc.case.buyer_reference or doc.case.number,
        "remarks": _remarks(doc),
        "cost_center": text_option(options, "cost_center", context),
        "is_return": 1 if doc.is_credit_note else None,
        "return_against": doc.credited_number if doc.is_credit_note else None,
        "items": [_item(line, options, context, sign) for line in doc.lines],
        "taxes": [_tax(v, doc.currency, sign) for v in doc.vat_breakdown],
    }
    body = {k: v for k, v in invoice.items() if v is not None}
    return Payload(dumps(body).encode("utf-8"), "application/json", "json")


def _remarks(doc: InvoiceDocument) -> str:
    parts = [f"{doc.kind.replace('_', ' ').capitalize()} {doc.number}, case {doc.case.number}"]
    if doc.note:
        parts.append(doc.note)
    return "\n".join(parts)


def _item(line: Line, options: Mapping[str, Any], context: Mapping[str, Any],
          sign: Decimal) -> dict[str, Any]:
    item: dict[str, Any] = {
        "item_code": erp_article(line, mapping_option(options, "article_map")),
        "item_name": line.description[:_ITEM_NAME_MAX],
        "description": line.description,
        "qty": line.quantity * sign if line.quantity else line.quantity,
        "uom": erp_unit(line, mapping_option(options, "unit_map")) or line.unit_code,
        "conversion_factor": 1,
        "rate": line.unit_price,
        "income_account": text_option(options, "income_account", context),
        "cost_center": text_option(options, "cost_center", context),
    }
    return {k: v for k, v in item.items() if v is not None}


def _tax(subtotal: VatSubtotal, currency: str, sign: Decimal) -> dict[str, Any]:
    rate = plain(subtotal.vat_rate)
    text = f"VAT {rate} % ({subtotal.vat_code}) on {plain(subtotal.taxable_amount)} {currency}"
    if subtotal.exemption_reason:
        text += f": {subtotal.exemption_reason}"
    return {"charge_type": "Actual", "description": text,
            "tax_amount": subtotal.tax_amount * sign if subtotal.tax_amount else
            subtotal.tax_amount}


def requirements(options: Mapping[str, Any]) -> list[Requirement]:
    return [*option_needs(options, "customer", CUSTOMER), CREDITED_NUMBER]


FORMAT = Format("erpnext_sales_invoice", "ERPNext Sales Invoice", render, requirements)
