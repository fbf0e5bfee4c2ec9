"""The browser path: posted names, data in the API's shape, errors, page context."""

from __future__ import annotations

import wtforms

from workorders.definitions import Bundle
from workorders.definitions.model import Field, Form, Section
from workorders.forms import (
    FormData,
    build_form_class,
    data_from_wtforms,
    encode_formdata,
    form_errors_to_paths,
    form_warnings,
    template_context,
    validate_submission,
)

POSTED = [("time-0-date", "2026-11-20"), ("time-0-hours", "1.5"), ("time-0-labor", "install"),
          ("time-1-date", "2026-11-20"), ("time-1-start", "08:00"), ("time-1-end", "09:00"),
          ("time-1-labor", "travel"), ("time-1-billable", "false"),
          ("materials-0-article", "CU15"), ("materials-0-quantity", "2"),
          ("work_description", "<script>x</script>"), ("installed_heat_pump", "true"),
          ("heat_pump_serial", "F2120-0001"), ("photos-0", "p1"), ("photos-1", "p2"),
          ("customer_signature-image", "sig-1"), ("customer_signature-name", "Eva Lund"),
          ("customer_name", "Eva Lund"), ("time-2-note", "")]


def report(bundle: Bundle) -> Form:
    form = bundle.form("installation_report")
    assert form is not None
    return form


def test_posted_form_gives_api_data(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    posted = FormData.from_pairs(POSTED[:-1])
    instance = build_form_class(form, nordvarme)(posted)
    assert isinstance(instance, wtforms.Form)
    assert instance.validate(), form_errors_to_paths(instance)
    data = data_from_wtforms(instance)
    assert data["time"][1] == {"date": "2026-11-20", "start": "08:00", "end": "09:00",
                               "labor": "travel", "billable": False}
    assert data["installed_heat_pump"] is True
    assert data["photos"] == ["p1", "p2"]
    assert data["work_description"] == "<script>x</script>"
    assert validate_submission(form, nordvarme, data, draft=False).valid


def test_blank_row_is_reported_at_its_index(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    instance = build_form_class(form, nordvarme)(FormData.from_pairs(POSTED))
    assert not instance.validate()
    paths = {e.path for e in form_errors_to_paths(instance)}
    assert paths == {"/time/2/date", "/time/2/labor", "/time/2/hours"}
    assert instance.f_time.entries[2].form.date.errors == ["This field is required."]


def test_unknown_posted_names_are_rejected(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    posted = FormData.from_pairs([*POSTED[:-1], ("colour", "red"), ("time-1-rate", "9"),
                                  ("customer_signature-ink", "blue"), ("empty", "")])
    instance = build_form_class(form, nordvarme)(posted)
    assert not instance.validate()
    assert {e.path for e in form_errors_to_paths(instance)} == {
        "/colour", "/time/1/rate", "/customer_signature/ink"}


def test_field_named_like_a_form_attribute(nordvarme: Bundle) -> None:
    fields = (Field("data", "text", "Data", required=True), Field("meta", "integer", "Meta"))
    form = Form("odd", "Odd", (Section(None, fields),))
    instance = build_form_class(form, nordvarme)(FormData.from_pairs([("meta", "x")]))
    assert not instance.validate()
    assert {e.path for e in form_errors_to_paths(instance)} == {"/data", "/meta"}


def test_draft_warnings_in_the_browser(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    instance = build_form_class(form, nordvarme)(FormData.from_pairs([("time-0-hours", "2")]),
                                                 draft=True)
    assert instance.validate()
    assert {w.path for w in form_warnings(instance)} == {
        "/time/0/date", "/time/0/labor", "/work_description", "/photos"}


def test_prefill_from_stored_data(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    stored = {"time": [{"date": "2026-11-20", "hours": "1.5", "labor": "install"}],
              "installed_heat_pump": False, "photos": ["p1"]}
    instance = build_form_class(form, nordvarme)(data=stored)
    assert instance.f_installed_heat_pump.data == "false"
    assert instance.f_time.entries[0].form.hours.data == "1.5"
    assert data_from_wtforms(instance) == stored


def test_encode_formdata_round_trip(voltfix: Bundle) -> None:
    form = voltfix.form("callout_report")
    assert form is not None
    data = {"fault_type": "other", "fault_other": "Sparks", "repaired": True,
            "materials": [{"article": "1401510", "quantity": "1", "billable": False}]}
    instance = build_form_class(form, voltfix)(encode_formdata(form, data))
    assert data_from_wtforms(instance) == data


def test_template_context_for_a_phone(nordvarme: Bundle) -> None:
    form = report(nordvarme)
    instance = build_form_class(form, nordvarme)(
        FormData.from_pairs([("time-0-hours", "abc"), ("colour", "x")]))
    instance.validate()
    ctx = template_context(form, nordvarme, instance)
    fields = {f["id"]: f for s in ctx["sections"] for f in s["fields"]}
    assert ctx["touch_target_px"] >= 44
    assert [s["title"] for s in ctx["sections"]] == ["Time", "Material", "Work", "Sign-off"]
    hours = next(p for p in fields["time"]["entries"][0] if p["key"] == "hours")
    assert hours["attrs"] == {"type": "number", "inputmode": "decimal", "step": "any"}
    assert hours["errors"] and hours["value"] == "abc" and hours["name"] == "time-0-hours"
    labor = next(p for p in fields["time"]["entry_template"] if p["key"] == "labor")
    assert [o["value"] for o in labor["options"]] == ["install", "electrician", "travel"]
    assert labor["name"] == "time-__index__-labor"
    assert fields["photos"]["attrs"]["capture"] == "environment"
    assert fields["photos"]["attrs"]["accept"] == "image/*"
    assert fields["heat_pump_serial"]["data"]["data-visible-if"] == \
        '{"field": "installed_heat_pump", "op": "equals", "value": true}'
    assert "data-required-if" in fields["customer_name"]["data"]
    assert fields["installed_heat_pump"]["control"] == "radio"
    assert [a["number"] for a in ctx["catalog"]["articles"]][:2] == ["HP-F2120-8", "HP-VVM320"]
    assert ctx["form_errors"] == ["Colour — Unknown field: this form has no such field."]
    assert fields["work_description"]["warnings"] == []
    assert fields["work_description"]["errors"] == ["This field is required."]
