"""CSV exports neutralise spreadsheet formulas (issue 11, item 13; the OWASP rule):
a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``, except a plain number such as a credit note's ``-12,50``."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from workorders.connectors import render_payload

from .samples import sample, template_context


def cells(columns: list[dict[str, str]], **options: object) -> list[list[str]]:
    doc = sample("se")
    body = render_payload("csv", doc, {"columns": columns, **options},
                          template_context(doc)).body
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), delimiter=";"))


@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"https://evil.example\",\"Open\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0", "-", "+", "-12,50 SEK",
])
def test_formula_cells_get_a_leading_apostrophe(value: str) -> None:
    [_header, first, *_] = cells([{"name": "text", "value": value}])
    assert first == ["'" + value]


@pytest.mark.parametrize("value", ["\t=1+1", "\r=1+1", "=1", "@x"])
def test_cells_starting_with_a_tab_or_carriage_return_are_neutralised(value: str) -> None:
    """Column templates trim whitespace, but a value from a line's data need not."""
    from workorders.connectors.formats.csv_cells import neutralise

    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["-12,50", "-12.50", "+3", "-5", "0", "5212,50", "12.5"])
def test_plain_numbers_stay_numbers(value: str) -> None:
    [_header, first, *_] = cells([{"name": "amount", "value": value}])
    assert first == [value]


def test_a_customer_name_from_the_booking_is_neutralised_in_the_default_columns() -> None:
    doc = sample("se")
    hostile = dataclasses.replace(doc, buyer=dataclasses.replace(
        doc.buyer, name="=HYPERLINK(\"https://evil.example\")"))
    body = render_payload("csv", hostile, {}, template_context(hostile)).body
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), delimiter=";"))
    column = parsed[0].index("customer_name")
    assert {row[column] for row in parsed[1:]} == {"'=HYPERLINK(\"https://evil.example\")"}


def test_header_names_are_neutralised_too() -> None:
    [header, *_] = cells([{"name": "=1+1", "value": "x"}])
    assert header == ["'=1+1"]


def test_negative_amounts_of_a_credit_note_stay_numbers() -> None:
    columns = [{"name": "amount", "value": "-{{ line.net_amount }}"}]
    assert cells(columns)[1] == ["-5212,50"]
    assert cells(columns, decimal=".")[1] == ["-5212.50"]
