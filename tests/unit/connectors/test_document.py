"""The invoice-ready document: arithmetic, validation of inputs, JSON and its schema."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from workorders.connectors import (
    CaseRef,
    DocumentError,
    InvoiceDocument,
    LineInput,
    build_document,
    document_schema,
    from_json_dict,
    to_json_dict,
)
from workorders.connectors.schema import SCHEMA_FILE, schema_text

from .conftest import REPO, UPDATE
from .samples import COUNTRIES, SE_BUYER, SE_PAYMENT, SE_SELLER, sample

CASE = CaseRef(number="C-1", id="1", case_type="t")


def doc_with(*lines: LineInput, currency: str = "SEK", kind: str = "invoice",
             credited: str | None = None) -> InvoiceDocument:
    return build_document(kind=kind, number="F1", issue_date=dt.date(2026, 1, 31),
                          currency=currency, seller=SE_SELLER, buyer=SE_BUYER, case=CASE,
                          lines=lines, payment=SE_PAYMENT, credited_number=credited)


def line(quantity: str, price: str, rate: str = "25", **extra: object) -> LineInput:
    return LineInput(kind="material", description="x", quantity=quantity, unit_code="EA",
                     unit_price=price, vat_category="standard", vat_rate=rate, **extra)  # type: ignore[arg-type]


def test_line_net_rounds_half_up_not_to_even() -> None:
    doc = doc_with(line("1", "0.125"), line("1", "0.135"), line("3", "0.005"))
    assert [x.net_amount for x in doc.lines] == [Decimal("0.13"), Decimal("0.14"),
                                                 Decimal("0.02")]


def test_vat_is_rounded_once_per_category_not_per_line() -> None:
    # per line: 0.025 -> 0.03 three times = 0.09; EN 16931: 0.30 * 25 % = 0.075 -> 0.08
    doc = doc_with(line("1", "0.10"), line("1", "0.10"), line("1", "0.10"))
    assert doc.vat_breakdown[0].taxable_amount == Decimal("0.30")
    assert doc.vat_breakdown[0].tax_amount == Decimal("0.08")
    assert doc.totals.vat_total == Decimal("0.08")
    assert doc.totals.gross == doc.totals.payable == Decimal("0.38")


def test_several_rates_give_one_subtotal_each_in_first_seen_order() -> None:
    doc = doc_with(line("2.333", "89.00"), line("1", "1195.00", "12"), line("1", "150", "0"),
                   line("0.75", "450.00"), line("1", "99.99", "6"))
    assert [(v.vat_code, v.vat_rate, v.taxable_amount, v.tax_amount)
            for v in doc.vat_breakdown] == [
        ("S", Decimal(25), Decimal("545.14"), Decimal("136.29")),
        ("S", Decimal(12), Decimal("1195.00"), Decimal("143.40")),
        ("Z", Decimal(0), Decimal("150.00"), Decimal("0.00")),
        ("S", Decimal(6), Decimal("99.99"), Decimal("6.00")),
    ]
    assert doc.totals.line_total == Decimal("1990.13")
    assert doc.totals.vat_total == Decimal("285.69")
    assert doc.totals.gross == Decimal("2275.82")


def test_rate_written_25_or_25_00_is_one_category() -> None:
    doc = doc_with(line("1", "10", "25"), line("1", "10", "25.00"))
    assert len(doc.vat_breakdown) == 1


def test_currency_minor_units_come_from_money() -> None:
    doc = doc_with(line("1.5", "333"), currency="JPY")
    assert doc.lines[0].net_amount == Decimal("500")  # 499.5 half-up, no decimals
    assert doc.totals.vat_total == Decimal("125")


def test_due_date_defaults_to_issue_date_plus_terms() -> None:
    assert doc_with(line("1", "1")).due_date == dt.date(2026, 3, 2)


def test_exempt_lines_need_a_reason_and_reverse_charge_gets_one() -> None:
    with pytest.raises(DocumentError, match="exemption reason") as exc:
        doc_with(line("1", "1", "0", vat_code="E"))
    assert exc.value.path == "lines/0/exemption_reason"
    doc = doc_with(line("1", "100", "0", vat_code="AE"))
    assert doc.vat_breakdown[0].exemption_reason_code == "VATEX-EU-AE"


@pytest.mark.parametrize(("bad", "path"), [
    (line("1", "-5"), "lines/0/unit_price"),
    (line("1", "5", "0", vat_code="S"), "lines/0/vat_rate"),
    (line("1", "5", "25", vat_code="Z"), "lines/0/vat_rate"),
    (line("1", "5", vat_code="XX"), "lines/0/vat_code"),
    (line("one", "5"), "lines/0/quantity"),
    (dataclasses.replace(line("1", "5"), kind="travel"), "lines/0/kind"),
])
def test_bad_lines_are_refused_with_their_path(bad: LineInput, path: str) -> None:
    with pytest.raises(DocumentError) as exc:
        doc_with(bad)
    assert exc.value.path == path


def test_credit_note_needs_the_credited_number_and_positive_amounts() -> None:
    with pytest.raises(DocumentError, match="credited"):
        doc_with(line("1", "5"), kind="credit_note")
    with pytest.raises(DocumentError, match="positive"):
        doc_with(line("-1", "5"), kind="credit_note", credited="F1")
    assert doc_with(line("1", "5"), kind="credit_note", credited="F1").totals.payable > 0


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_json_round_trip_and_schema(country: str, kind: str) -> None:
    doc = sample(country, kind)
    data = to_json_dict(doc)
    assert next(iter(data)) == "schema_version" and data["schema_version"] == "1.0"
    assert data["totals"]["gross"] == str(doc.totals.gross)
    Draft202012Validator(document_schema()).validate(json.loads(json.dumps(data)))
    assert from_json_dict(data) == doc


def test_from_json_dict_names_the_bad_path() -> None:
    data = to_json_dict(sample("se"))
    data["lines"][1]["quantity"] = 3.5
    with pytest.raises(DocumentError) as exc:
        from_json_dict(data)
    assert exc.value.path == "/lines/1/quantity"
    data = to_json_dict(sample("se"))
    data["schema_version"] = "2.0"
    with pytest.raises(DocumentError, match="schema_version"):
        from_json_dict(data)


def test_schema_files_are_identical_and_generated() -> None:
    text = schema_text()
    docs = REPO / "docs" / SCHEMA_FILE
    package = REPO / "src" / "workorders" / "connectors" / "schema" / SCHEMA_FILE
    if UPDATE:
        docs.write_text(text, encoding="utf-8")
        package.write_text(text, encoding="utf-8")
    assert docs.read_text(encoding="utf-8") == text
    assert package.read_text(encoding="utf-8") == text
    Draft202012Validator.check_schema(json.loads(text))


def test_schema_rejects_floats_and_unknown_fields() -> None:
    validator = Draft202012Validator(document_schema())
    data = to_json_dict(sample("dk"))
    data["totals"]["gross"] = 1.5
    data["surprise"] = True
    messages = {e.message for e in validator.iter_errors(data)}
    assert any("1.5 is not of type 'string'" in m for m in messages)
    assert any("surprise" in m for m in messages)


amounts = st.decimals(min_value=0, max_value=10000, places=3, allow_nan=False)
rates = st.sampled_from(["0", "6", "12", "25", "25.5"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(amounts, amounts, rates), min_size=1, max_size=8))
def test_totals_always_add_up(rows: list[tuple[Decimal, Decimal, str]]) -> None:
    doc = doc_with(*(line(str(q), str(p), r) for q, p, r in rows))
    assert doc.totals.line_total == sum(x.net_amount for x in doc.lines)
    assert doc.totals.line_total == sum(v.taxable_amount for v in doc.vat_breakdown)
    assert doc.totals.vat_total == sum(v.tax_amount for v in doc.vat_breakdown)
    assert doc.totals.gross == doc.totals.line_total + doc.totals.vat_total
    assert all(x.net_amount.as_tuple().exponent == -2 for x in doc.lines)
    assert from_json_dict(to_json_dict(doc)) == doc
