"""``peppol_ubl``: Peppol BIS Billing 3.0 UBL 2.1 Invoice (380) and CreditNote (381).

Every output is checked in the tests with the official artefacts (UBL 2.1 XSD, CEN
EN 16931 1.3.16 and Peppol 3.0.21 Schematron) via the validators'
``validate_ubl.py``. Choices worth knowing:

* ``BuyerReference`` (BT-10) is always sent, so PEPPOL-EN16931-R003 never fails: the
  ``buyer_reference`` option, else the case's buyer reference, purchase order,
  customer reference or, last, the case number. A purchase order also goes to
  ``OrderReference`` (BT-13).
* A due date (BT-9, invoices) and payment terms (BT-20) are both sent when known:
  CEN 1.3.16 dropped BR-CO-25, but receivers on older rule sets still enforce it.
* Credit notes carry positive amounts and reference the credited invoice in
  ``BillingReference`` (BG-3); they carry no payment means (money flows back).
* Amounts are the document's own, already rounded by :mod:`workorders.definitions.money`,
  so BR-CO-10..17 hold by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..document import InvoiceDocument, Line
from ..serialize import plain
from ..templating import erp_article, erp_unit, mapping_option, option_context, text_option
from . import ubl
from .base import Format, Payload
from .peppol_requirements import requirements

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_ROOT = {
    "invoice": ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice",
                "InvoiceTypeCode", "380", "InvoiceLine", "InvoicedQuantity"),
    "credit_note": ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote",
                    "CreditNoteTypeCode", "381", "CreditNoteLine", "CreditedQuantity"),
}
_TERMS = {"sv": ("{days} dagar netto", "Kreditering av faktura {number}"),
          "nb": ("{days} dager netto", "Kreditnota for faktura {number}"),
          "no": ("{days} dager netto", "Kreditnota for faktura {number}"),
          "da": ("Netto {days} dage", "Kreditnota for faktura {number}"),
          "en": ("Payment within {days} days", "Credit note for invoice {number}")}


def render(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any]) -> Payload:
    tree = build_tree(doc, options, template_context)
    return Payload(serialize(tree), "application/xml", "xml")


def serialize(tree: Any) -> bytes:
    """The XML bytes of a built tree (separate so the benchmark can time it alone)."""
    body: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)
    return body


def buyer_reference(doc: InvoiceDocument, options: Mapping[str, Any],
                    context: Mapping[str, Any]) -> str:
    case = doc.case
    return (text_option(options, "buyer_reference", context) or case.buyer_reference
            or case.purchase_order or case.customer_reference or case.number)


def build_tree(doc: InvoiceDocument, options: Mapping[str, Any],
               template_context: Mapping[str, Any]) -> Any:
    """The lxml element tree of the Invoice or CreditNote."""
    namespace, root_name, type_tag, type_code, _, _ = _ROOT[doc.kind]
    context = option_context(doc, template_context)
    nsmap: Any = {None: namespace, "cac": ubl.CAC, "cbc": ubl.CBC}
    root = etree.Element(f"{{{namespace}}}{root_name}", nsmap=nsmap)
    ubl.cbc(root, "CustomizationID", CUSTOMIZATION)
    ubl.cbc(root, "ProfileID", PROFILE)
    ubl.cbc(root, "ID", doc.number)
    ubl.cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.due_date and not doc.is_credit_note:
        ubl.cbc(root, "DueDate", doc.due_date.isoformat())
    ubl.cbc(root, type_tag, type_code)
    note = text_option(options, "note", context) or doc.note
    if note:
        ubl.cbc(root, "Note", note)
    ubl.cbc(root, "DocumentCurrencyCode", doc.currency)
    ubl.cbc(root, "BuyerReference", buyer_reference(doc, options, context))
    _references(root, doc)
    ubl.party(ubl.cac(root, "AccountingSupplierParty"), doc.seller, seller=True)
    ubl.party(ubl.cac(root, "AccountingCustomerParty"), doc.buyer, seller=False)
    if doc.delivery_date:
        ubl.cbc(ubl.cac(root, "Delivery"), "ActualDeliveryDate", doc.delivery_date.isoformat())
    if not doc.is_credit_note:
        ubl.payment_means(root, doc)
    _terms(root, doc)
    _tax_total(root, doc)
    _monetary_total(root, doc)
    unit_map = mapping_option(options, "unit_map")
    article_map = mapping_option(options, "article_map")
    for line in doc.lines:
        _line(root, doc, line, unit_map, article_map)
    return root


def _references(root: Any, doc: InvoiceDocument) -> None:
    if doc.case.purchase_order:
        ubl.cbc(ubl.cac(root, "OrderReference"), "ID", doc.case.purchase_order)
    if doc.is_credit_note and doc.credited_number:
        reference = ubl.cac(ubl.cac(root, "BillingReference"), "InvoiceDocumentReference")
        ubl.cbc(reference, "ID", doc.credited_number)
        if doc.credited_issue_date:
            ubl.cbc(reference, "IssueDate", doc.credited_issue_date.isoformat())
    for i, attachment in enumerate(doc.attachments, start=1):
        reference = ubl.cac(root, "AdditionalDocumentReference")
        ubl.cbc(reference, "ID", f"{attachment.kind}-{i}")
        ubl.cbc(reference, "DocumentDescription", f"{attachment.kind} sha256:{attachment.sha256}")
        external = ubl.cac(ubl.cac(reference, "Attachment"), "ExternalReference")
        ubl.cbc(external, "URI", attachment.url)


def _terms(root: Any, doc: InvoiceDocument) -> None:
    language = (doc.locale or "en").split("-")[0].lower()
    terms, credit = _TERMS.get(language, _TERMS["en"])
    days = doc.payment.terms_days if doc.payment else None
    if doc.is_credit_note:
        text = credit.format(number=doc.credited_number)
    elif days is not None:
        text = terms.format(days=days)
    elif doc.due_date:
        text = f"Due {doc.due_date.isoformat()}"
    else:
        return
    ubl.cbc(ubl.cac(root, "PaymentTerms"), "Note", text)


def _tax_total(root: Any, doc: InvoiceDocument) -> None:
    currency = {"currencyID": doc.currency}
    total = ubl.cac(root, "TaxTotal")
    ubl.cbc(total, "TaxAmount", plain(doc.totals.vat_total), **currency)
    for entry in doc.vat_breakdown:
        subtotal = ubl.cac(total, "TaxSubtotal")
        ubl.cbc(subtotal, "TaxableAmount", plain(entry.taxable_amount), **currency)
        ubl.cbc(subtotal, "TaxAmount", plain(entry.tax_amount), **currency)
        category = ubl.cac(subtotal, "TaxCategory")
        ubl.cbc(category, "ID", entry.vat_code)
        if entry.vat_code != "O":
            ubl.cbc(category, "Percent", plain(entry.vat_rate))
        if entry.exemption_reason_code:
            ubl.cbc(category, "TaxExemptionReasonCode", entry.exemption_reason_code)
        if entry.exemption_reason:
            ubl.cbc(category, "TaxExemptionReason", entry.exemption_reason)
        ubl.cbc(ubl.cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(root: Any, doc: InvoiceDocument) -> None:
    currency = {"currencyID": doc.currency}
    totals = ubl.cac(root, "LegalMonetaryTotal")
    ubl.cbc(totals, "LineExtensionAmount", plain(doc.totals.line_total), **currency)
    ubl.cbc(totals, "TaxExclusiveAmount", plain(doc.totals.net), **currency)
    ubl.cbc(totals, "TaxInclusiveAmount", plain(doc.totals.gross), **currency)
    ubl.cbc(totals, "PayableAmount", plain(doc.totals.payable), **currency)


def _line(root: Any, doc: InvoiceDocument, line: Line, unit_map: Mapping[str, str],
          article_map: Mapping[str, str]) -> None:
    _, _, _, _, line_tag, quantity_tag = _ROOT[doc.kind]
    node = ubl.cac(root, line_tag)
    ubl.cbc(node, "ID", str(line.line_no))
    ubl.cbc(node, quantity_tag, plain(line.quantity),
            unitCode=erp_unit(line, unit_map) or line.unit_code)
    ubl.cbc(node, "LineExtensionAmount", plain(line.net_amount), currencyID=doc.currency)
    item = ubl.cac(node, "Item")
    ubl.cbc(item, "Name", line.description)
    article = erp_article(line, article_map) or line.article_number
    if article:
        ubl.cbc(ubl.cac(item, "SellersItemIdentification"), "ID", article)
    category = ubl.cac(item, "ClassifiedTaxCategory")
    ubl.cbc(category, "ID", line.vat_code)
    if line.vat_code != "O":
        ubl.cbc(category, "Percent", plain(line.vat_rate))
    ubl.cbc(ubl.cac(category, "TaxScheme"), "ID", "VAT")
    ubl.cbc(ubl.cac(node, "Price"), "PriceAmount", plain(line.unit_price),
            currencyID=doc.currency)


FORMAT = Format("peppol_ubl", "Peppol BIS Billing 3.0 (UBL 2.1)", render, requirements)
