"""visible_if / required_if semantics, and drafts versus final submissions."""

from __future__ import annotations

from typing import Any

from workorders.definitions import Bundle
from workorders.definitions.model import Field, FieldCondition, Form, Section
from workorders.forms import SubmissionCheck, validate_submission

TIME = [{"date": "2026-11-20", "hours": "1", "labor": "install"}]
REPORT = {"time": TIME, "work_description": "Installed", "photos": ["p1"]}


def report(bundle: Bundle, draft: bool = False, **data: Any) -> SubmissionCheck:
    form = bundle.form("installation_report")
    assert form is not None
    return validate_submission(form, bundle, {**REPORT, **data}, draft=draft)


def test_hidden_field_is_never_required_and_is_dropped(nordvarme: Bundle) -> None:
    result = report(nordvarme, installed_heat_pump=False, heat_pump_serial="not valid!")
    assert result.errors == []
    assert "heat_pump_serial" not in result.cleaned


def test_shown_required_field_is_required(nordvarme: Bundle) -> None:
    result = report(nordvarme, installed_heat_pump=True)
    assert [e.path for e in result.errors] == ["/heat_pump_serial"]
    shown = report(nordvarme, installed_heat_pump=True, heat_pump_serial="not valid!")
    assert [e.path for e in shown.errors] == ["/heat_pump_serial"]
    assert report(nordvarme, installed_heat_pump=True, heat_pump_serial="F2120-123").valid


def test_required_if_present(nordvarme: Bundle) -> None:
    signed = report(nordvarme, customer_signature={"image": "s1", "name": "Eva"})
    assert [e.path for e in signed.errors] == ["/customer_name"]
    assert report(nordvarme).valid


def test_required_if_in_and_not_equals(voltfix: Bundle) -> None:
    form = voltfix.form("safety_check")
    assert form is not None
    base = {"rcd_trip_time_ms": "25", "inspector_signature": {"image": "s", "name": "Ola"}}
    ok = validate_submission(form, voltfix, {**base, "result": "approved",
                                             "defects": "ignored"}, draft=False)
    assert ok.valid and "defects" not in ok.cleaned
    bad = validate_submission(form, voltfix, {**base, "result": "minor_defects"}, draft=False)
    assert [e.path for e in bad.errors] == ["/defects"]


def test_hiding_cascades(nordvarme: Bundle) -> None:
    fields = (Field("a", "boolean", "A"),
              Field("b", "boolean", "B", visible_if=FieldCondition("a", "equals", True)),
              Field("c", "text", "C", required=True,
                    visible_if=FieldCondition("b", "equals", True)))
    form = Form("f", "F", (Section(None, fields),))
    result = validate_submission(form, nordvarme, {"a": False, "b": True}, draft=False)
    assert result.valid and result.cleaned == {"a": False}
    shown = validate_submission(form, nordvarme, {"a": True, "b": True}, draft=False)
    assert [e.path for e in shown.errors] == ["/c"]


def test_photos_min_makes_them_required(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    result = validate_submission(form, nordvarme, {**REPORT, "photos": []}, draft=False)
    assert [(e.path, e.message) for e in result.errors] == [("/photos",
                                                             "This field is required.")]


def test_draft_lists_what_is_missing(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    result = validate_submission(form, nordvarme, {"installed_heat_pump": True}, draft=True)
    assert result.errors == []
    assert [w.path for w in result.warnings] == ["/time", "/work_description",
                                                 "/heat_pump_serial", "/photos"]
    final = validate_submission(form, nordvarme, {"installed_heat_pump": True}, draft=False)
    assert final.errors == result.warnings and final.warnings == []


def test_draft_with_malformed_value_is_an_error(nordvarme: Bundle) -> None:
    result = report(nordvarme, draft=True, work_description="x" * 4001)
    assert [e.path for e in result.errors] == ["/work_description"]


def test_blank_values_mean_no_answer(nordvarme: Bundle) -> None:
    result = report(nordvarme, customer_name="", customer_signature=None,
                    installed_heat_pump=None)
    assert result.valid
    assert set(result.cleaned) == {"time", "work_description", "photos"}
