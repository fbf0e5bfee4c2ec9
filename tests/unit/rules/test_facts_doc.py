"""Fact documents match the documented fact paths; bundle rules per trigger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from workorders.definitions import Bundle, fact_types, load_bundle
from workorders.rules import RuleEngineError, evaluate
from workorders.rules.bundle_rules import compiled_rules_for, rule_specs, ruleset_namespace
from workorders.rules.facts_doc import build_fact_document

EXAMPLES = Path(__file__).parents[3] / "definitions"


@pytest.fixture(scope="module")
def nordvarme() -> Bundle:
    result = load_bundle((EXAMPLES / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8"))
    assert result.bundle is not None
    return result.bundle


def _document(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "case": {"case_type": "installation", "status": "in_progress", "number": "INST-1",
                 "assignee": {"email": "t@example.test", "name": "Tess", "id": 7},
                 "customer": {"name": "Eva", "address": {"city": "Umeå"}, "secret": "x"},
                 "fields": {"customer_reference": "PO-1"},
                 "scheduled_start": dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC),
                 "created_at": dt.date(2026, 11, 1)},
        "form_id": "installation_report",
        "form_data": MappingProxyType({"time": ({"date": "2026-11-20", "hours": "9"},)}),
        "totals": {"hours": Decimal("9"), "net_amount": Decimal("6255.00")},
        "submission_kind": "final",
        "actor": {"role": "technician", "roles": ["technician", "admin"],
                  "email": "t@example.test"},
    }
    args.update(overrides)
    return build_fact_document(**args)


def _resolve(document: dict[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = document
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def test_every_documented_case_and_submission_fact_has_its_key(nordvarme: Bundle) -> None:
    document = _document()
    facts = fact_types(nordvarme, "installation")
    fixed = [p for p in facts if not p.startswith(("form.", "case.fields."))]
    assert fixed and all(_resolve(document, p)[0] for p in fixed), [
        p for p in fixed if not _resolve(document, p)[0]]
    assert set(document) == {"case", "form", "form_id", "totals", "submission", "actor",
                             "previous"}


def test_values_are_plain_decimals_stay_and_extras_are_dropped() -> None:
    document = _document()
    case = document["case"]
    assert case["type"] == "installation"
    assert case["assignee"] == {"email": "t@example.test", "name": "Tess"}
    assert case["customer"]["address"] == {"street": None, "city": "Umeå",
                                           "postal_code": None, "country": None}
    assert "secret" not in case["customer"]
    assert case["scheduled_start"] == "2026-11-20T08:00:00+00:00"
    assert case["created_at"] == "2026-11-01"
    assert type(document["form"]) is dict and type(document["form"]["time"]) is list
    assert type(document["form"]["time"][0]) is dict
    assert document["totals"]["hours"] == Decimal("9")
    assert type(document["totals"]["hours"]) is Decimal
    assert document["totals"]["gross_amount"] is None
    assert document["actor"] == {"role": "technician", "roles": ["admin", "technician"],
                                 "email": "t@example.test"}


def test_an_assignee_given_as_email_and_a_transition_without_form() -> None:
    document = _document(case={"type": "service", "status": "scheduled",
                               "assignee": "k@example.test"},
                         form_id=None, form_data=None, totals=None, submission_kind=None,
                         actor={"role": "coordinator"})
    assert document["case"]["assignee"] == {"email": "k@example.test", "name": None}
    assert document["form"] == {} and document["form_id"] is None
    assert set(document["totals"].values()) == {None}
    assert document["actor"]["roles"] == ["coordinator"]


def test_rule_specs_follow_on_and_case_types_in_bundle_order(nordvarme: Bundle) -> None:
    def ids(case_type: str, trigger: str) -> list[str]:
        return [s.id for s in rule_specs(nordvarme, case_type, trigger)]

    assert ids("installation", "submit") == [
        "overtime_needs_approval", "missing_signature", "bulk_material_line",
        "expensive_material", "leak_test_failed", "rot_needs_property"]
    # a correction is evaluated like a submission: overtime_needs_approval is on
    # [submit] only and still runs on correct
    assert ids("installation", "correct") == ids("installation", "submit")
    assert ids("installation", "draft") == []  # drafts are previewed; no rule lists draft
    assert ids("service", "transition:start") == ["tell_customer_we_are_coming"]
    assert ids("installation", "transition:release") == ["rot_needs_property"]
    assert ids("service", "transition:release") == []
    assert ids("service", "enter:work_done") == []


@pytest.mark.parametrize("trigger", ["", "submitted", "transition:", "enter:Bad", "leave:x"])
def test_unknown_trigger_forms_are_refused(nordvarme: Bundle, trigger: str) -> None:
    with pytest.raises(RuleEngineError, match="unknown trigger"):
        rule_specs(nordvarme, "service", trigger)


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_compiled_rules_are_cached_and_named_immutably(nordvarme: Bundle, engine: str) -> None:
    first = compiled_rules_for(nordvarme, "ab" * 32, "acme", "installation", "submit",
                               engine, version=3)  # type: ignore[arg-type]
    again = compiled_rules_for(nordvarme, "ab" * 32, "acme", "installation", "submit",
                               engine, version=3)  # type: ignore[arg-type]
    other = compiled_rules_for(nordvarme, "cd" * 32, "acme", "installation", "submit",
                               engine, version=3)  # type: ignore[arg-type]
    assert first is again and other is not first
    assert first.name.startswith("acme/3/installation/submit/abababababababab:")
    assert other.name.startswith("acme/3/installation/submit/cdcdcdcdcdcdcdcd:")
    document = _document(totals={"hours": Decimal("17")})
    assert evaluate(first, document).fired == ("overtime_needs_approval", "missing_signature")


def test_ruleset_names_cannot_be_forged_from_parts() -> None:
    assert ruleset_namespace("acme", "v2", "service", "transition:start", "f" * 64) == (
        "acme/v2/service/transition.start/ffffffffffffffff")
    for bad in ("a/b", "a:b", "a#b", ""):
        with pytest.raises(RuleEngineError):
            ruleset_namespace(bad, "v2", "service", "submit", "f" * 64)
