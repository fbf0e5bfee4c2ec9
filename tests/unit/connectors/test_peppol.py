"""Peppol BIS 3 output checked with the official artefacts (XSD + EN 16931 + Peppol).

Each sample (SE, NO and DK sellers; invoice and credit note; 25/12/0 % with Z and E)
and each example tenant's seller must pass with no fatal finding. A deliberately
broken document must fail, so these tests can fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from workorders.connectors import CaseRef, build_document, render_payload, seller_party
from workorders.connectors import seller_payment as bundle_payment
from workorders.definitions import load_bundle

from .conftest import GOLDEN, REPO, VALIDATORS
from .samples import COUNTRIES, OPTIONS, SE_BUYER, sample, template_context

pytestmark = pytest.mark.peppol
Validate = Callable[[bytes, str], list[str]]
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def peppol(doc: object, **options: str) -> bytes:
    return render_payload("peppol_ubl", doc, {**OPTIONS["peppol_ubl"], **options},  # type: ignore[arg-type]
                          template_context(doc)).body  # type: ignore[arg-type]


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_samples_pass_all_three_stages(validate_ubl: Validate, country: str, kind: str) -> None:
    body = peppol(sample(country, kind))
    assert validate_ubl(body, f"{country}-{kind}.xml") == []


def test_defaults_without_options_pass(validate_ubl: Validate) -> None:
    doc = sample("se")
    body = render_payload("peppol_ubl", doc, {}, {}).body
    assert validate_ubl(body, "defaults.xml") == []
    root = etree.fromstring(body)
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "PO-7788"


def test_swedish_specifics_are_present() -> None:
    root = etree.fromstring(peppol(sample("se")))
    schemes = root.findall(".//cac:AccountingSupplierParty//cac:PartyTaxScheme", NS)
    assert [s.findtext("cbc:CompanyID", namespaces=NS) for s in schemes] == [
        "SE556677889901", "Godkänd för F-skatt"]
    assert root.findtext(".//cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS) == "5566778899"
    assert root.findtext(".//cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "50501055"


def test_credit_note_references_the_invoice() -> None:
    root = etree.fromstring(peppol(sample("dk", "credit_note")))
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext(".//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                         namespaces=NS) == "BW1001"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == \
        str(sample("dk", "credit_note").totals.payable)


def test_a_wrong_swedish_vat_rate_is_caught(validate_ubl: Validate) -> None:
    doc = sample("se")
    wrong = dataclasses.replace(doc, lines=tuple(
        dataclasses.replace(x, vat_rate=x.vat_rate - 1 if x.vat_rate else x.vat_rate)
        for x in doc.lines))
    findings = validate_ubl(peppol(wrong), "wrong-rate.xml")
    assert any("SE-R-006" in f for f in findings)
    assert any(f.startswith("en16931 BR-S-08") for f in findings), findings


EXAMPLES = sorted((REPO / "definitions").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_tenants_exports_pass(validate_ubl: Validate, path: Path) -> None:
    bundle = load_bundle(path.read_bytes(), filename=path.name).bundle
    assert bundle is not None and bundle.seller is not None
    labor = bundle.catalog.labor[0]
    doc = build_document(
        kind="invoice", number=f"{bundle.seller.invoice_series.prefix}1",
        issue_date=dt.date(2026, 11, 23), currency=bundle.currency, locale=bundle.locale,
        seller=seller_party(bundle.seller), payment=bundle_payment(bundle.seller),
        buyer=SE_BUYER, case=CaseRef(number="X-1", id="1", case_type="t"),
        lines=[_line(labor)])
    findings = validate_ubl(peppol(doc), f"{path.stem}.xml")
    assert findings == []


def _line(labor: object) -> object:
    from workorders.connectors import LineInput

    return LineInput(kind="labor", description=labor.name, article_number=labor.code,  # type: ignore[attr-defined]
                     quantity="2.5", unit_code=labor.unit, unit_price=labor.price,  # type: ignore[attr-defined]
                     vat_category=labor.vat, vat_rate=25)  # type: ignore[attr-defined]


def test_golden_xml_passes_the_validator_command_line(ubl_validator: object) -> None:
    files = sorted(str(p) for p in GOLDEN.glob("peppol_ubl-*.xml"))
    assert len(files) == 6
    run = subprocess.run([sys.executable, str(VALIDATORS / "validate_ubl.py"), *files],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "6 passed, 0 failed" in run.stdout
