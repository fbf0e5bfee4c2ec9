"""Totals: hours, billable hours, amounts rounded per EN 16931, mixed VAT rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workorders.definitions import Bundle
from workorders.definitions.model import Form
from workorders.forms import compute_totals
from workorders.forms.totals import entry_hours


def forms(bundle: Bundle, **data: dict[str, Any]) -> list[tuple[Form, dict[str, Any]]]:
    out = []
    for form_id, values in data.items():
        form = bundle.form(form_id)
        assert form is not None
        out.append((form, values))
    return out


def test_single_form_totals(nordvarme: Bundle) -> None:
    totals = compute_totals(forms(nordvarme, installation_report={
        "time": [{"date": "2026-11-20", "hours": "7.5", "labor": "install"},
                 {"date": "2026-11-20", "start": "16:00", "end": "16:40", "labor": "travel"},
                 {"date": "2026-11-20", "hours": "1", "labor": "install", "billable": False}],
        "materials": [{"article": "CU15", "quantity": "2.5"},
                      {"description": "Special valve", "quantity": "1", "unit_price": "100.00"}],
    }), nordvarme)
    assert totals.hours == Decimal("9.17")
    assert totals.billable_hours == Decimal("8.17")
    # 7.5 * 695 = 5212.50; 0.67 h * 450 = 301.50
    assert totals.labor_amount == Decimal("5514.00")
    assert totals.material_amount == Decimal("322.50")
    assert totals.net_amount == Decimal("5836.50")
    assert totals.vat_amount == Decimal("1459.13")  # 5836.50 * 25 % = 1459.125 -> half up
    assert totals.gross_amount == Decimal("7295.63")
    kinds = [(ln.kind, ln.code, ln.unit, ln.billable, ln.index) for ln in totals.lines]
    assert kinds == [("labor", "install", "HUR", True, 0), ("labor", "travel", "HUR", True, 1),
                     ("labor", "install", "HUR", False, 2), ("material", "CU15", "MTR", True, 0),
                     ("material", None, "EA", True, 1)]


def test_line_nets_rounded_then_vat_once_per_category(mixed: Bundle) -> None:
    totals = compute_totals(forms(mixed, report={
        "materials": [{"article": "A1", "quantity": "0.5"}] * 3 +
                     [{"article": "B1", "quantity": "1"}, {"article": "Z1", "quantity": "2"}],
        "time": [{"date": "2026-01-01", "hours": "0.5", "labor": "odd"}],
    }), mixed)
    # 0.5 * 0.33 = 0.165 -> 0.17 half up (banker's rounding would give 0.16)
    assert [ln.net for ln in totals.lines if ln.code == "A1"] == [Decimal("0.17")] * 3
    # 0.5 * 100.05 = 50.025 -> 50.03
    assert [ln.net for ln in totals.lines if ln.code == "odd"] == [Decimal("50.03")]
    by_cat = {v.category: (v.rate, v.taxable, v.vat) for v in totals.vat}
    # standard: VAT of the sum 0.51 * 25 % = 0.1275 -> 0.13 (per line it would be 0.12)
    assert by_cat == {"standard": (Decimal(25), Decimal("0.51"), Decimal("0.13")),
                      "reduced": (Decimal(12), Decimal("149.98"), Decimal("18.00")),
                      "zero": (Decimal(0), Decimal("20.00"), Decimal("0.00"))}
    assert totals.net_amount == Decimal("170.49")
    assert totals.vat_amount == Decimal("18.13")
    assert totals.gross_amount == Decimal("188.62")


def test_totals_over_several_forms_and_price_override(mixed: Bundle) -> None:
    totals = compute_totals(forms(
        mixed, report={"time": [{"date": "2026-01-01", "hours": "2", "labor": "work"}]},
        extra={"time": [{"date": "2026-01-02", "hours": "1.25", "labor": "work"}],
               "parts": [{"article": "B1", "quantity": "1", "unit_price": "50"}]}), mixed)
    assert totals.hours == Decimal("3.25")
    assert totals.labor_amount == Decimal("2258.75")
    assert totals.material_amount == Decimal("50.00")
    assert [ln.form_id for ln in totals.lines] == ["report", "extra", "extra"]


def test_incomplete_draft_gives_partial_totals(nordvarme: Bundle) -> None:
    totals = compute_totals(forms(nordvarme, installation_report={
        "time": [{"date": "2026-11-20", "hours": "2"}, {"labor": "install"}],
        "materials": [{"article": "CU15"}, {"description": "no price", "quantity": "1"}],
    }), nordvarme)
    assert totals.hours == Decimal("2")
    assert totals.lines == ()
    assert totals.gross_amount == Decimal("0.00")


def test_computed_hours_round_half_up_to_the_hundredth() -> None:
    assert entry_hours({"start": "08:00", "end": "08:20"}) == Decimal("0.33")
    assert entry_hours({"start": "08:00", "end": "08:01"}) == Decimal("0.02")
    assert entry_hours({"start": "09:00", "end": "08:00"}) is None
    assert entry_hours({"hours": "1.5"}) == Decimal("1.5")


def test_currency_without_minor_units(mixed: Bundle) -> None:
    from dataclasses import replace

    yen = replace(mixed, currency="JPY")
    totals = compute_totals(forms(yen, report={"materials": [{"article": "B1",
                                                             "quantity": "1"}]}), yen)
    assert totals.net_amount == Decimal("100")
    assert totals.vat_amount == Decimal("12")
