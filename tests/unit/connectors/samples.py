"""Sample invoice-ready documents for the connector tests.

Three sellers as in the example tenants (a Swedish heat-pump installer, a Norwegian
electrician, a Danish IT consultancy), each with an invoice and the credit note for
it; several VAT rates including 0 % (zero-rated Z and exempt E with a reason).
Organisation numbers are valid for their national checks (Luhn for SE, mod 11 for NO).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from workorders.connectors import (
    Address,
    Approval,
    Attachment,
    CaseRef,
    InvoiceDocument,
    LineInput,
    LineSource,
    Party,
    Payment,
    build_document,
)

ISSUE = dt.date(2026, 11, 23)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _src(field: str, index: int) -> LineSource:
    return LineSource(submission_id="sub-7f3a", revision=2, field_id=field, line_index=index)


SE_SELLER = Party(
    name="Nordvärme AB", org_number="556677-8899", vat_id="SE556677889901",
    peppol_id="0007:5566778899", email="faktura@nordvarme.se", phone="+46 90 123 45 00",
    address=Address(street="Industrigatan 4", city="Umeå", postal_code="90325", country="SE"))
SE_BUYER = Party(
    name="Fastighets AB Exempel", erp_id="10042", org_number="5599887766",
    vat_id="SE559988776601", peppol_id="0007:5599887766", email="ap@exempel.se",
    address=Address(street="Storgatan 1", city="Borås", postal_code="50330", country="SE"))
SE_PAYMENT = Payment(means_code="30", account="5050-1055", account_scheme="SE:BANKGIRO",
                     terms_days=30)
SE_LINES = [
    LineInput(kind="labor", description="Installation work", article_number="install",
              quantity="7.5", unit_code="HUR", unit_price="695.00", vat_category="standard",
              vat_rate=25, date=dt.date(2026, 11, 20), technician="Erik Lind",
              source=_src("time", 0)),
    LineInput(kind="labor", description="Travel", article_number="travel", quantity="0.75",
              unit_code="HUR", unit_price="450.00", vat_category="standard", vat_rate=25,
              source=_src("time", 1)),
    LineInput(kind="material", description="NIBE F2120-8 air/water heat pump",
              article_number="HP-F2120-8", quantity=1, unit_code="EA",
              unit_price="48500.00", vat_category="standard", vat_rate=25,
              source=_src("materials", 0)),
    LineInput(kind="material", description="Copper pipe 15 mm", article_number="CU15",
              quantity="2.333", unit_code="MTR", unit_price="89.00", vat_category="standard",
              vat_rate=25, source=_src("materials", 1)),
    LineInput(kind="fee", description="Hotel night for the installation team",
              quantity=1, unit_code="EA", unit_price="1195.00", vat_category="reduced",
              vat_rate=12),
    LineInput(kind="fee", description="Refrigerant recovery certificate", quantity=1,
              unit_code="EA", unit_price="150.00", vat_category="zero", vat_rate=0),
]

NO_SELLER = Party(
    name="VoltFix Elektro AS", org_number="987 654 325", vat_id="NO987654325MVA",
    peppol_id="0192:987654325", email="faktura@voltfix.no", phone="+47 22 33 44 55",
    address=Address(street="Sandakerveien 56", city="Oslo", postal_code="0477", country="NO"))
NO_BUYER = Party(
    name="Boligsameiet Sagene", erp_id="2207", org_number="812345672",
    peppol_id="0192:812345672",
    address=Address(street="Sagveien 10", city="Oslo", postal_code="0459", country="NO"))
NO_PAYMENT = Payment(means_code="30", account="15032080119", account_scheme="NO:BBAN",
                     bic="DNBANOKK", terms_days=14)
NO_LINES = [
    LineInput(kind="labor", description="Electrician", article_number="electrician",
              quantity="1.5", unit_code="HUR", unit_price="890.00", vat_category="standard",
              vat_rate="25", source=_src("time", 0)),
    LineInput(kind="fee", description="Call-out fee (utrykning), Oslo",
              article_number="CALLOUT", quantity=1, unit_code="EA", unit_price="950.00",
              vat_category="standard", vat_rate=25, source=_src("materials", 0)),
    LineInput(kind="material", description="RCBO 1P+N B16 30mA", article_number="1401510",
              quantity=3, unit_code="EA", unit_price="412.33", vat_category="standard",
              vat_rate=25, source=_src("materials", 1)),
    LineInput(kind="fee", description="Rental of measuring equipment to the housing company",
              quantity=2, unit_code="DAY", unit_price="175.50", vat_category="exempt",
              vat_rate=0, vat_code="E", exemption_reason="Unntatt merverdiavgift (utleie)"),
]

DK_SELLER = Party(
    name="ByteWise ApS", org_number="38271645", vat_id="DK38271645",
    peppol_id="0184:38271645", email="regnskab@bytewise.dk", phone="+45 33 12 34 56",
    address=Address(street="Vesterbrogade 149", city="København V", postal_code="1620",
                    country="DK"))
DK_BUYER = Party(
    name="Acme Logistik A/S", erp_id="ACME", org_number="12345678", vat_id="DK12345678",
    peppol_id="0184:12345678",
    address=Address(street="Havnegade 7", city="Aarhus C", postal_code="8000", country="DK"))
DK_PAYMENT = Payment(means_code="58", account="DK5000400440116243", account_scheme="IBAN",
                     bic="NDEADKKK", terms_days=8)
DK_LINES = [
    LineInput(kind="labor", description="IT consultant", article_number="consulting",
              quantity=6, unit_code="HUR", unit_price="1150.00", vat_category="standard",
              vat_rate=25, source=_src("time", 0)),
    LineInput(kind="labor", description="Overtime", article_number="overtime",
              quantity="3.25", unit_code="HUR", unit_price="1725.00", vat_category="standard",
              vat_rate=25, source=_src("time", 1)),
    LineInput(kind="fee", description="Course material (exempt education)", quantity=4,
              unit_code="EA", unit_price="99.99", vat_category="exempt", vat_rate=0,
              vat_code="E", exemption_reason="Exempt education services",
              exemption_reason_code="VATEX-EU-132-1I"),
]

_TENANTS: dict[str, dict[str, Any]] = {
    "se": {"seller": SE_SELLER, "buyer": SE_BUYER, "payment": SE_PAYMENT, "lines": SE_LINES,
           "currency": "SEK", "locale": "sv-SE", "prefix": "F", "case": "INST-2026-0042"},
    "no": {"seller": NO_SELLER, "buyer": NO_BUYER, "payment": NO_PAYMENT, "lines": NO_LINES,
           "currency": "NOK", "locale": "nb-NO", "prefix": "VF", "case": "CALL-2026-0107"},
    "dk": {"seller": DK_SELLER, "buyer": DK_BUYER, "payment": DK_PAYMENT, "lines": DK_LINES,
           "currency": "DKK", "locale": "da-DK", "prefix": "BW", "case": "SUP-2026-0311"},
}
COUNTRIES = tuple(_TENANTS)


def sample(country: str, kind: str = "invoice") -> InvoiceDocument:
    """The sample document of one tenant, as an invoice or as its credit note."""
    t = _TENANTS[country]
    credit = kind == "credit_note"
    number = f"{t['prefix']}{1002 if credit else 1001}"
    return build_document(
        kind=kind, number=number, issue_date=ISSUE + dt.timedelta(days=3 if credit else 0),
        currency=t["currency"], locale=t["locale"], seller=t["seller"], buyer=t["buyer"],
        payment=t["payment"], delivery_date=dt.date(2026, 11, 20),
        credited_number=f"{t['prefix']}1001" if credit else None,
        credited_issue_date=ISSUE if credit else None,
        case=CaseRef(number=t["case"], id="c-0042", case_type="installation",
                     title="Heat pump installation", purchase_order="PO-7788",
                     customer_reference="Anna Andersson"),
        lines=t["lines"],
        attachments=[Attachment(kind="signature", url="https://files.example.test/s/abc",
                                sha256=SHA, content_type="image/png")],
        approvals=[Approval(rule="overtime_needs_approval", decided_by="coord@example.test",
                            decision="approve", at=dt.datetime(2026, 11, 21, 9, 30,
                                                               tzinfo=dt.UTC),
                            comment="ok")],
        note="Thank you for your business" if not credit else "Corrected hours")


def template_context(doc: InvoiceDocument) -> dict[str, Any]:
    """Case facts as the platform passes them to option templates."""
    return {
        "case": {"number": doc.case.number, "title": doc.case.title,
                 "customer": {"name": doc.buyer.name, "erp_id": doc.buyer.erp_id},
                 "assignee": {"name": "Erik Lind"}, "fields": {"customer_reference": "PO-7788"},
                 "site": {"street": "Storgatan 1"}},
        "seller": {"name": doc.seller.name},
    }


#: Options per format as a tenant would write them.
OPTIONS: dict[str, dict[str, Any]] = {
    "generic_json": {"article_map": {"install": "1001"}},
    "csv": {},
    "fortnox_invoice": {
        "customer_number": "{{ case.customer.erp_id }}",
        "our_reference": "{{ case.assignee.name }}",
        "your_reference": "{{ case.fields.customer_reference or case.number }}",
        "article_map": {"install": "1001", "travel": "1009", "HP-F2120-8": "2001"},
        "unit_map": {"HUR": "tim", "EA": "st", "MTR": "m"}},
    "erpnext_sales_invoice": {
        "customer": "{{ case.customer.erp_id }}", "company": "Nordvärme AB",
        "cost_center": "Main - NV", "income_account": "3001 - Försäljning - NV",
        "article_map": {"install": "SRV-INSTALL", "HP-F2120-8": "HP-F2120-8"},
        "unit_map": {"HUR": "Hour", "EA": "Nos", "MTR": "Meter"}},
    "peppol_ubl": {"buyer_reference": "{{ case.fields.customer_reference or case.number }}",
                   "note": "Case {{ case.number }}, {{ case.site.street }}"},
}

Factory = Callable[[str, str], InvoiceDocument]
ZERO = Decimal(0)
