"""One currency table (ISO 4217 minor units) for validation and invoices: with two
tables an XOF catalogue had to be priced in whole francs while its invoices were
rounded to centimes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from babel.numbers import get_currency_precision

from workorders.connectors import CaseRef, LineInput, build_document, to_json_dict
from workorders.definitions import codelists, load_bundle

from .samples import SE_BUYER, SE_PAYMENT, SE_SELLER

BASE = Path(__file__).resolve().parents[1] / "definitions" / "base.yaml"

#: where CLDR's display precision (Babel) departs from the ISO 4217 minor unit,
#: which is what invoices and EN 16931 validators use
CLDR_DISPLAY_ONLY = {"AFN", "ALL", "COP", "HUF", "IDR", "IQD", "IRR", "KPW", "LAK", "LBP",
                     "MGA", "MMK", "SOS", "SYP", "YER"}


def _payload(currency: str, quantity: str, price: str) -> dict[str, object]:
    line = LineInput(kind="material", description="Valve", quantity=quantity, unit_code="EA",
                     unit_price=price, vat_category="standard", vat_rate="25")
    doc = build_document(kind="invoice", number="F1", issue_date=dt.date(2026, 1, 31),
                         currency=currency, seller=SE_SELLER, buyer=SE_BUYER,
                         case=CaseRef(number="C-1", id="1", case_type="t"), lines=[line],
                         payment=SE_PAYMENT, credited_number=None)
    result: dict[str, object] = json.loads(json.dumps(to_json_dict(doc)))
    return result


def _catalog_errors(currency: str, price: str) -> list[str]:
    text = BASE.read_text("utf-8").replace("currency: SEK", f"currency: {currency}", 1)
    text = text.replace('price: "385.50"', f'price: "{price}"', 1)
    result = load_bundle(text.encode("utf-8"))
    return [e.message for e in result.errors if e.path.endswith("/price")]


def test_an_xof_invoice_payload_has_no_decimals() -> None:
    payload = _payload("XOF", "1.5", "333")
    assert payload["lines"][0]["net_amount"] == "500"  # type: ignore[index]
    assert payload["totals"] == {"line_total": "500", "net": "500", "vat_total": "125",
                                 "gross": "625", "payable": "625"}


def test_validation_agrees_with_the_invoice_on_xof() -> None:
    assert _catalog_errors("XOF", "386") == []
    assert _catalog_errors("XOF", "385.50") == [
        "price '385.50' has more than 0 decimals (XOF uses 0 decimals)"]


@pytest.mark.parametrize(("currency", "net"), [("KWD", "499.500"), ("CLF", "499.5000"),
                                               ("SEK", "499.50"), ("JPY", "500")])
def test_invoices_round_to_the_iso_minor_unit(currency: str, net: str) -> None:
    assert _payload(currency, "1.5", "333")["totals"]["net"] == net  # type: ignore[index]


def test_the_table_matches_cldr_except_where_iso_4217_differs() -> None:
    disagree = {code for code in codelists.currencies()
                if codelists.currency_decimals(code) != get_currency_precision(code)}
    assert disagree == CLDR_DISPLAY_ONLY
