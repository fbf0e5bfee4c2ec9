"""The case page's Reports section writes dates, hours, quantities and prices the
tenant's way (its locale), through the one formatter every page uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from workorders.definitions import load_bundle
from workorders.definitions.model import Bundle, Field
from workorders.platform.web.reports import line_text

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    loaded = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert loaded is not None and loaded.locale == "sv-SE"
    return loaded


def _fields(bundle: Bundle) -> tuple[Field, Field]:
    form = bundle.form("installation_report")
    assert form is not None
    time, materials = form.field("time"), form.field("materials")
    assert time is not None and materials is not None
    return time, materials


def test_a_time_entry_reads_in_the_tenants_locale(bundle: Bundle) -> None:
    time, _ = _fields(bundle)
    text = line_text(time, {"date": "2026-11-26", "hours": "6.5", "labor": "install"},
                     bundle)
    assert text.startswith("tors 26 nov. 2026 · 6,5 h · ")
    assert "2026-11-26" not in text


def test_a_material_line_reads_in_the_tenants_locale(bundle: Bundle) -> None:
    _, materials = _fields(bundle)
    text = line_text(materials, {"article": "CU15", "quantity": "1234.5",
                                 "unit_price": "89"}, bundle)
    assert text == "CU15 Copper pipe 15 mm × 1\u00a0234,5 MTR à 89,00\u00a0kr"


def test_a_british_tenant_reads_its_own_way(bundle: Bundle) -> None:
    time, _ = _fields(bundle)
    british = replace(bundle, locale="en-GB")
    text = line_text(time, {"date": "2026-11-26", "hours": "1234.5", "labor": "x"},
                     british)
    assert text == "Thu, 26 Nov 2026 · 1,234.5 h · x"


def test_a_value_that_is_not_a_date_or_number_is_shown_as_stored(bundle: Bundle) -> None:
    time, _ = _fields(bundle)
    text = line_text(time, {"date": "yesterday", "hours": "six", "labor": "x"},
                     bundle)
    assert text == "yesterday · six h · x"
