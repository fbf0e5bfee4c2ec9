"""Every format against golden files, plus the behaviour each one promises."""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from typing import Any

import pytest

from tests.support.services import missing
from workorders.connectors import (
    FORMATS,
    EncodingProblem,
    OptionError,
    UnknownFormat,
    render_payload,
)

from .conftest import VALIDATORS, check_golden
from .samples import COUNTRIES, OPTIONS, sample, template_context

KINDS = ("invoice", "credit_note")


def render(format_id: str, country: str = "se", kind: str = "invoice",
           **options: Any) -> bytes:
    doc = sample(country, kind)
    merged = {**OPTIONS[format_id], **options}
    return render_payload(format_id, doc, merged, template_context(doc)).body


@pytest.mark.parametrize("format_id", sorted(FORMATS))
@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", KINDS)
def test_golden(format_id: str, country: str, kind: str) -> None:
    doc = sample(country, kind)
    payload = render_payload(format_id, doc, OPTIONS[format_id], template_context(doc))
    check_golden(f"{format_id}-{country}-{kind}.{payload.filename_ext}", payload.body)
    again = render_payload(format_id, doc, OPTIONS[format_id], template_context(doc))
    assert again.body == payload.body, "rendering must be deterministic"


def test_unknown_format() -> None:
    with pytest.raises(UnknownFormat, match="peppol_ubl"):
        render_payload("sap_idoc", sample("se"), {}, {})


def test_generic_json_is_the_document_with_mapped_articles() -> None:
    data = json.loads(render("generic_json"))
    assert data["schema_version"] == "1.0"
    assert data["lines"][0]["erp_article"] == "1001"
    assert data["lines"][1]["erp_article"] is None
    assert data["totals"]["payable"] == str(sample("se").totals.payable)


def test_fortnox_maps_articles_units_and_references() -> None:
    invoice = json.loads(render("fortnox_invoice"))["Invoice"]
    assert invoice["CustomerNumber"] == "10042"
    assert invoice["OurReference"] == "Erik Lind"
    assert invoice["ExternalInvoiceReference1"] == "F1001"
    rows = invoice["InvoiceRows"]
    assert rows[0] == {"ArticleNumber": "1001", "Description": "Installation work",
                       "DeliveredQuantity": 7.5, "Unit": "tim", "Price": 695, "VAT": 25}
    assert "ArticleNumber" not in rows[3]  # CU15 is not mapped: Fortnox would reject it
    assert b'"Price": 695.00' in render("fortnox_invoice")  # exact decimals, no float


def test_fortnox_credit_note_negates_rows_and_names_the_invoice() -> None:
    invoice = json.loads(render("fortnox_invoice", kind="credit_note"))["Invoice"]
    assert all(r["DeliveredQuantity"] < 0 and r["Price"] > 0 for r in invoice["InvoiceRows"])
    assert invoice["Remarks"].startswith("Kreditering av faktura F1001")
    total = sum(Decimal(str(r["DeliveredQuantity"])) * Decimal(str(r["Price"]))
                for r in invoice["InvoiceRows"])
    assert total.quantize(Decimal("0.01")) == -sample("se", "credit_note").totals.line_total


def test_fortnox_customer_number_option_must_render_something() -> None:
    with pytest.raises(OptionError, match="customer_number"):
        render("fortnox_invoice", customer_number="{{ case.fields.customer_reference[99:] }}")


@pytest.fixture(scope="module")
def check_erpnext_payload() -> Any:
    if not (VALIDATORS / "erpnext_fields.py").is_file():
        missing("ERPNext field checker", f"no erpnext_fields.py in {VALIDATORS}")
    sys.path.insert(0, str(VALIDATORS))
    try:
        from erpnext_fields import check_payload
    finally:
        sys.path.remove(str(VALIDATORS))
    return check_payload


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", KINDS)
def test_erpnext_uses_only_existing_fields(check_erpnext_payload: Any, country: str,
                                           kind: str) -> None:
    payload = json.loads(render("erpnext_sales_invoice", country, kind))
    result = check_erpnext_payload(payload)
    assert result["errors"] == []
    read_only = [w for w in result["warnings"] if "read-only" in w]
    assert read_only == []


def test_erpnext_checker_catches_a_wrong_field(check_erpnext_payload: Any) -> None:
    payload = json.loads(render("erpnext_sales_invoice"))
    payload["items"][0]["quantity"] = payload["items"][0].pop("qty")
    assert check_erpnext_payload(payload)["errors"]


def test_erpnext_return_is_negative_and_taxes_match_the_document() -> None:
    doc = sample("no", "credit_note")
    payload = json.loads(render("erpnext_sales_invoice", "no", "credit_note"))
    assert payload["is_return"] == 1 and payload["return_against"] == "VF1001"
    assert all(i["qty"] < 0 and i["rate"] >= 0 for i in payload["items"])
    taxes = sum(Decimal(str(t["tax_amount"])) for t in payload["taxes"])
    assert taxes == -doc.totals.vat_total
    assert "item_code" not in payload["items"][0]  # unmapped: ERPNext rejects unknown items
    se = json.loads(render("erpnext_sales_invoice"))
    assert se["items"][0]["item_code"] == "SRV-INSTALL" and se["items"][0]["uom"] == "Hour"


def rows(body: bytes, encoding: str = "utf-8", delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode(encoding)), delimiter=delimiter))


def test_csv_default_decimal_follows_the_locale() -> None:
    se = rows(render("csv"))
    assert se[0][14] == "quantity" and se[1][14] == "7,5" and se[1][19] == "5212,50"
    doc = sample("se")
    english = render_payload("csv", type(doc)(**{**_fields(doc), "locale": "en-GB"}), {}, {})
    assert rows(english.body)[1][14] == "7.5"
    assert rows(render("csv", decimal="."))[1][19] == "5212.50"


def _fields(doc: Any) -> dict[str, Any]:
    return {name: getattr(doc, name) for name in doc.__dataclass_fields__}


def test_csv_columns_delimiter_header_and_quoting() -> None:
    columns = [{"name": "Nr", "value": "{{ invoice.number }}"},
               {"name": "Text", "value": '{{ line.description }}; "{{ case.number }}"'},
               {"name": "Belopp", "value": "{{ line.net_amount }}"},
               {"name": "Artikel", "value": "{{ line.erp_article or line.article_number }}"}]
    body = render("csv", columns=columns, delimiter=",", header=False,
                  article_map={"install": "A-1"})
    parsed = rows(body, delimiter=",")
    assert parsed[0] == ["F1001", 'Installation work; "INST-2026-0042"', "5212,50", "A-1"]
    assert body.startswith(b'F1001,"Installation work; ""INST-2026-0042""","5212,50",A-1\r\n')
    assert len(parsed) == len(sample("se").lines)


def test_csv_windows_1252_keeps_nordic_letters() -> None:
    body = render("csv", encoding="windows-1252")
    assert "Borås".encode("cp1252") not in body  # buyer city is not a default column
    assert "Fastighets AB Exempel" in body.decode("cp1252")
    dk = render("csv", "dk", encoding="windows-1252", columns=[
        {"name": "seller", "value": "{{ seller.name }} København"}])
    assert dk.decode("cp1252").splitlines()[1] == "ByteWise ApS København"


def test_csv_unencodable_text_names_row_column_and_character() -> None:
    columns = [{"name": "nr", "value": "{{ line.line_no }}"},
               {"name": "text", "value": "{% if line.line_no == 3 %}Łódź{% endif %}x"}]
    with pytest.raises(EncodingProblem) as exc:
        render("csv", encoding="windows-1252", columns=columns)
    assert (exc.value.row, exc.value.column, exc.value.character) == (4, "text", "Ł")
    assert "invoice line 3" in exc.value.message and "U+0141" in exc.value.message


@pytest.mark.parametrize(("options", "name"), [
    ({"delimiter": ";;"}, "delimiter"), ({"decimal": "'"}, "decimal"),
    ({"encoding": "latin-9"}, "encoding"), ({"columns": [{"value": "x"}]}, "columns"),
])
def test_csv_bad_options_are_named(options: dict[str, Any], name: str) -> None:
    with pytest.raises(OptionError) as exc:
        render("csv", **options)
    assert exc.value.option == name


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ case.customer.__init__.__globals__ }}",
    "{{ case.no_such_fact }}",
    "{{ case.number ",
    "{{ undefined_name }}",
])
def test_template_errors_fail_with_the_option_name(template: str) -> None:
    with pytest.raises(OptionError) as exc:
        render("peppol_ubl", buyer_reference=template)
    assert exc.value.option == "buyer_reference"
    with pytest.raises(OptionError, match="columns/0/value"):
        render("csv", columns=[{"name": "a", "value": template}])
