"""Time entries and material lines: fixed keys, catalog rules, computed hours."""

from __future__ import annotations

from typing import Any

from workorders.definitions import Bundle
from workorders.forms import validate_submission


def check(bundle: Bundle, form_id: str, data: dict[str, Any], draft: bool = False
          ) -> dict[str, str]:
    form = bundle.form(form_id)
    assert form is not None
    result = validate_submission(form, bundle, data, draft=draft)
    return {e.path: e.message for e in result.errors}


BASE = {"fault_category": "annual_service", "work_description": "Done", "resolved": True}


def service(nordvarme: Bundle, **data: Any) -> dict[str, str]:
    return check(nordvarme, "service_visit", {**BASE, **data})


def test_time_entry_with_hours_or_start_end(nordvarme: Bundle) -> None:
    ok = [{"date": "2026-11-20", "hours": "1.5", "labor": "service"},
          {"date": "2026-11-20", "start": "08:00", "end": "09:45", "labor": "travel",
           "technician": "karin@example.test", "billable": False, "note": "n"}]
    assert service(nordvarme, time=ok) == {}


def test_time_entry_rules(nordvarme: Bundle) -> None:
    found = service(nordvarme, time=[
        {"date": "2026-11-20", "labor": "service"},
        {"date": "2026-11-20", "hours": "2", "start": "08:00", "end": "09:00",
         "labor": "service"},
        {"date": "2026-11-20", "start": "10:00", "end": "09:00", "labor": "service"},
        {"date": "2026-11-20", "start": "10:00", "labor": "service"},
        {"date": "2026-11-20", "hours": "0", "labor": "install"},
        {"date": "2026-11-20", "hours": "25", "labor": "service", "technician": "karin"},
    ])
    assert found == {
        "/time/0/hours": "Enter hours, or start and end.",
        "/time/1/start": "Enter hours, or start and end, not both.",
        "/time/2/end": "The end must be after the start (split work past midnight into "
                       "two entries).",
        "/time/3/end": "This field is required.",
        "/time/4/hours": "Must be more than 0.",
        "/time/4/labor": "Pick one of: Service work, Travel.",
        "/time/5/hours": "Must be at most 24.",
        "/time/5/technician": "Use an email address like name@example.com.",
    }


def test_material_catalog_line_takes_unit_and_price(nordvarme: Bundle) -> None:
    ok = [{"article": "CU15", "quantity": "2.5"},
          {"article": "CU15", "quantity": "1", "unit": "MTR", "unit_price": "89"}]
    assert check(nordvarme, "installation_report", {"materials": ok, "time": [
        {"date": "2026-11-20", "hours": "1", "labor": "install"}], "work_description": "x",
        "photos": ["p"]}) == {}


def test_material_line_rules_without_override(nordvarme: Bundle) -> None:
    found = check(nordvarme, "installation_report", {"materials": [
        {"article": "CU15", "quantity": "1", "unit": "EA", "unit_price": "80"},
        {"article": "NOPE", "quantity": "1"},
        {"description": "Special valve", "quantity": "1"},
        {"article": "CU15", "description": "both", "quantity": "1"},
        {"quantity": "1"},
        {"description": "x", "quantity": "1", "unit_price": "1", "unit": "ZZZZ"},
    ]})
    assert found["/materials/0/unit"].startswith("This article is counted in MTR")
    assert found["/materials/0/unit_price"].startswith("The price comes from the catalog "
                                                       "(89.00)")
    assert found["/materials/1/article"].startswith("Not an article of the catalog")
    assert found["/materials/2/unit_price"] == "This field is required."
    assert found["/materials/3/description"].startswith("Choose an article or describe")
    assert found["/materials/4/article"] == "Choose an article or describe the item."
    assert found["/materials/5/unit"].startswith("Not a UN/ECE unit code")


def test_price_override_where_the_field_allows_it(nordvarme: Bundle) -> None:
    found = service(nordvarme, materials=[{"article": "CU15", "quantity": "1",
                                           "unit_price": "80.50"}],
                    time=[{"date": "2026-11-20", "hours": "1", "labor": "service"}])
    assert found == {}


def test_free_text_only_where_allowed(voltfix: Bundle, bytewise: Bundle) -> None:
    from dataclasses import replace

    form = voltfix.form("callout_report")
    assert form is not None
    materials = form.field("materials")
    assert materials is not None
    strict = replace(materials, allow_free_text=False)
    fields = tuple(strict if f.id == "materials" else f for f in form.sections[1].fields)
    sections = (form.sections[0], replace(form.sections[1], fields=fields), *form.sections[2:])
    closed = replace(form, sections=sections)
    result = validate_submission(closed, voltfix, {"materials": [
        {"description": "cable", "quantity": "1", "unit_price": "5"}]}, draft=True)
    paths = {e.path: e.message for e in result.errors}
    assert paths["/materials/0/description"].startswith("Free text is not allowed")


def test_draft_line_warnings_but_malformed_values_are_errors(nordvarme: Bundle) -> None:
    form = nordvarme.form("service_visit")
    assert form is not None
    result = validate_submission(form, nordvarme, {"time": [{"date": "2026-11-20"},
                                                             {"hours": "abc"}]}, draft=True)
    assert [e.path for e in result.errors] == ["/time/1/hours"]
    warned = {w.path for w in result.warnings}
    assert {"/time/0/labor", "/time/0/hours", "/time/1/date", "/fault_category",
            "/work_description", "/resolved"} <= warned
