"""Each field type on the API path: what is accepted, what is rejected and where."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from workorders.definitions import Bundle
from workorders.definitions.model import Field, Form, Option, Section
from workorders.forms import compile_form_schema, validate_submission


def one_field(**keys: Any) -> Form:
    field = Field(id="x", label="X", **keys)
    return Form("f", "F", (Section(None, (field,)),))


def errors(form: Form, bundle: Bundle, data: Any, *, draft: bool = False) -> list[str]:
    return [e.path for e in validate_submission(form, bundle, data, draft=draft).errors]


CASES: list[tuple[dict[str, Any], Any, bool]] = [
    ({"type": "text", "max_length": 5}, "abcde", True),
    ({"type": "text", "max_length": 5}, "abcdef", False),
    ({"type": "text", "pattern": "^[A-Z]{3}$"}, "ABC", True),
    ({"type": "text", "pattern": "^[A-Z]{3}$"}, "abc", False),
    ({"type": "text"}, 12, False),
    ({"type": "textarea"}, "line 1\nline 2", True),
    ({"type": "textarea"}, "x" * 20001, False),
    ({"type": "integer", "min": Decimal(1), "max": Decimal(9)}, 9, True),
    ({"type": "integer", "min": Decimal(1), "max": Decimal(9)}, 10, False),
    ({"type": "integer"}, "12", False),
    ({"type": "integer"}, True, False),
    ({"type": "decimal", "min": Decimal(20), "max": Decimal(65)}, "20.5", True),
    ({"type": "decimal", "min": Decimal(20), "max": Decimal(65)}, "65.01", False),
    ({"type": "decimal"}, 12.5, False),
    ({"type": "decimal"}, "1e5", False),
    ({"type": "decimal"}, "1,5", False),
    ({"type": "money"}, "695.00", True),
    ({"type": "money"}, "695.001", False),
    ({"type": "boolean"}, False, True),
    ({"type": "boolean"}, "true", False),
    ({"type": "date"}, "2026-11-20", True),
    ({"type": "date"}, "2026-02-30", False),
    ({"type": "date"}, "20261120", False),
    ({"type": "datetime"}, "2026-11-20T14:30+01:00", True),
    ({"type": "datetime"}, "2026-11-20T14:30:00Z", True),
    ({"type": "datetime"}, "2026-11-20T14:30", False),
    ({"type": "choice", "options": (Option("a", "A"), Option("b", "B"))}, "a", True),
    ({"type": "choice", "options": (Option("a", "A"),)}, "z", False),
    ({"type": "choice", "options": (Option("a", "A"), Option("b", "B")), "multiple": True},
     ["a", "b"], True),
    ({"type": "choice", "options": (Option("a", "A"),), "multiple": True}, ["a", "a"], False),
    ({"type": "choice", "options": (Option("a", "A"),), "multiple": True}, "a", False),
    ({"type": "photos", "max": Decimal(2)}, ["p1", "p2"], True),
    ({"type": "photos", "max": Decimal(2)}, ["p1", "p2", "p3"], False),
    ({"type": "photos"}, ["p1", "p1"], False),
    ({"type": "photos"}, ["../etc/passwd"], False),
    ({"type": "signature"}, {"image": "sig-1", "name": "Eva Lund"}, True),
    ({"type": "signature"}, {"image": "sig-1", "name": "Eva", "signed_at": "2026-11-20T10:00Z"},
     True),
    ({"type": "signature"}, {"image": "sig-1"}, False),
    ({"type": "approval"}, {"name": "Lars", "decision": "approved"}, True),
    ({"type": "approval"}, {"name": "Lars", "decision": "approve"}, False),
]


@pytest.mark.parametrize(("keys", "value", "ok"), CASES)
def test_each_type_accepts_and_rejects(nordvarme: Bundle, keys: dict[str, Any], value: Any,
                                       ok: bool) -> None:
    found = errors(one_field(**keys), nordvarme, {"x": value})
    assert (found == []) is ok, found
    assert all(p.startswith("/x") for p in found)


def test_error_points_at_the_item(nordvarme: Bundle) -> None:
    form = one_field(type="choice", options=(Option("a", "A"),), multiple=True)
    assert errors(form, nordvarme, {"x": ["a", "nope"]}) == ["/x/1"]
    assert errors(one_field(type="photos"), nordvarme, {"x": ["ok", "not ok"]}) == ["/x/1"]


def test_unknown_fields_are_rejected_everywhere(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    data = {"work_description": "x", "colour": "red",
            "customer_signature": {"image": "s", "name": "n", "ink": "blue"},
            "time": [{"date": "2026-11-20", "hours": "1", "labor": "install", "rate": "9"}]}
    found = errors(form, nordvarme, data)
    assert {"/colour", "/customer_signature/ink", "/time/0/rate"} <= set(found)


def test_html_is_kept_verbatim(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    script = "<script>alert('x')</script> & <b>"
    data = {"work_description": script, "time": [{"date": "2026-11-20", "hours": "2",
                                                  "labor": "install", "note": script}],
            "photos": ["p1"]}
    check = validate_submission(form, nordvarme, data, draft=False)
    assert check.errors == []
    assert check.cleaned["work_description"] == script
    assert check.cleaned["time"][0]["note"] == script


def test_not_an_object(nordvarme: Bundle) -> None:
    form = one_field(type="text")
    assert errors(form, nordvarme, ["x"]) == [""]


def test_schema_is_valid_draft_2020_12(nordvarme: Bundle) -> None:
    from jsonschema import Draft202012Validator

    for form in nordvarme.forms:
        for draft in (True, False):
            schema = compile_form_schema(form, nordvarme, draft=draft)
            Draft202012Validator.check_schema(schema)
            assert schema["additionalProperties"] is False


def test_draft_schema_leaves_out_completeness(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    final = compile_form_schema(form, nordvarme, draft=False)["properties"]["time"]
    draft = compile_form_schema(form, nordvarme, draft=True)["properties"]["time"]
    assert final["items"]["required"] == ["date", "labor"]
    assert "required" not in draft["items"]
    assert draft["items"]["x-either"]["required"] is False
