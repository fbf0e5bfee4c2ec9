"""Planned outcomes (order, rendering, failures) and invoice readiness."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import Bundle, load_bundle, validate_data
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.outcomes import ACTION_FAILED, Outcome, plan_outcomes
from workorders.rules.readiness import Blocker, exception_blocks, invoice_readiness
from workorders.rules.render import PLACEHOLDER_LINKS, render, template_context

EXAMPLE = Path(__file__).parents[3] / "definitions" / "nordvarme-heatpumps.yaml"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    result = load_bundle(EXAMPLE.read_text(encoding="utf-8"))
    assert result.normalized is not None
    return result.normalized


@pytest.fixture(scope="module")
def nordvarme(raw: dict[str, Any]) -> Bundle:
    bundle = validate_data(copy.deepcopy(raw)).bundle
    assert bundle is not None
    return bundle


def _context(bundle: Bundle, **form: Any) -> dict[str, Any]:
    document = build_fact_document(
        case={"type": "installation", "status": "in_progress", "number": "INST-7",
              "customer": {"name": "Eva"}},
        form_id="commissioning_protocol", form_data=form,
        totals={"hours": Decimal("17"), "material_amount": Decimal("61000.00")},
        submission_kind="final", actor={"role": "technician"})
    return template_context(document, bundle, "installation", links=PLACEHOLDER_LINKS)


def test_outcomes_follow_bundle_order_then_action_order(nordvarme: Bundle) -> None:
    context = _context(nordvarme, leak_test_passed=False, leak_test_notes="Flare nut")
    fired = ["leak_test_failed", "expensive_material", "missing_signature"]  # engine order
    plan = plan_outcomes(fired, nordvarme, context)
    assert [(o.rule, o.position, o.kind) for o in plan] == [
        ("missing_signature", 0, "block_invoicing"),
        ("missing_signature", 1, "raise_exception"),
        ("expensive_material", 0, "require_approval"),
        ("expensive_material", 1, "notify"),
        ("leak_test_failed", 0, "raise_exception"),
        ("leak_test_failed", 1, "notify"),
    ]
    assert plan[1].params == {"code": "MISSING_SIGNATURE", "severity": "high",
                              "assign": "coordinator",
                              "message": "INST-7 has no customer signature"}
    assert plan[2].params == {"approver": "role:admin", "reason": "Material 61000.00 kr"}
    assert plan[3].params["subject"] == "Godkännande krävs: INST-7"
    assert "(Eva) väntar" in plan[3].params["body"]
    assert plan[3].params["body"].endswith("Godkänn i ärendet: <case link>")
    assert plan[4].params["message"] == "Leak test failed on INST-7: Flare nut"


def test_defaults_and_absent_values(nordvarme: Bundle) -> None:
    context = _context(nordvarme, leak_test_passed=False)
    plan = plan_outcomes(["leak_test_failed", "bulk_material_line"], nordvarme, context)
    # a form field not given renders as nothing, not "None" and not an error
    assert plan[0].params["message"] == "A material line on INST-7 has more than 50 units"
    assert plan[1].params["message"] == "Leak test failed on INST-7:"


def test_a_failing_template_becomes_action_failed_and_other_actions_still_apply(
        raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    rule = next(r for r in data["rules"] if r["id"] == "missing_signature")
    rule["then"][1]["raise_exception"]["message"] = "{{ form.customer_signature.name }}"
    bundle = validate_data(data).bundle
    assert bundle is not None
    plan = plan_outcomes(["missing_signature"], bundle, _context(bundle))
    assert [o.kind for o in plan] == ["block_invoicing", ACTION_FAILED]
    assert plan[1].rule == "missing_signature" and plan[1].params["action"] == "raise_exception"
    assert "has no attribute 'name'" in plan[1].params["error"]


def test_links_are_required_when_a_template_uses_them(nordvarme: Bundle) -> None:
    context = _context(nordvarme)
    del context["links"]
    (outcome,) = plan_outcomes(["tell_customer_we_are_coming"], nordvarme, context)
    assert outcome.kind == ACTION_FAILED and "'links' is undefined" in outcome.params["error"]


@pytest.mark.parametrize("source", [
    "{{ 'x' * 1000000000 }}", "{{ [1] * 100000 }}", "{{ 10 ** 100000 }}",
    "{{ ''.__class__.__mro__ }}", "{% for i in range(200000) %}x{% endfor %}",
    "{{ nothing }}", "{{ 1 / 0 }}",
])
def test_hostile_or_broken_templates_fail_without_raising_anything_else(source: str) -> None:
    from workorders.rules.errors import TemplateRenderError

    with pytest.raises(TemplateRenderError):
        render(source, {})


def test_long_output_is_refused() -> None:
    from workorders.rules.errors import TemplateRenderError

    with pytest.raises(TemplateRenderError, match="longer than"):
        render("{% for i in range(3000) %}0123456789{% endfor %}", {})


def _outcome(kind: str, **params: Any) -> Outcome:
    return Outcome("r", 0, kind, params)


@pytest.mark.parametrize(("severity", "blocks"), [
    ("low", False), ("medium", False), ("high", True), ("critical", True)])
def test_exception_severities_that_block(nordvarme: Bundle, severity: str, blocks: bool) -> None:
    case_type = nordvarme.case_type("installation")
    assert case_type is not None
    exc = _outcome("raise_exception", code="X", severity=severity, message="m")
    result = invoice_readiness(case_type, "work_done", [exc])
    assert result.ready is not blocks and exception_blocks(severity) is blocks
    if blocks:
        assert result.to_dict()["blockers"] == [
            {"kind": "exception", "rule": "r", "reason": f"X ({severity}): m"}]


@pytest.mark.parametrize(("status", "ready"), [
    ("booked", False), ("in_progress", False), ("work_done", True),
    ("ready_for_invoice", True), ("invoiced", True), ("cancelled", False)])
def test_readiness_follows_the_lifecycle(nordvarme: Bundle, status: str, ready: bool) -> None:
    case_type = nordvarme.case_type("installation")
    assert case_type is not None
    assert invoice_readiness(case_type, status, []).ready is ready


def test_every_blocker_is_listed_with_kind_rule_and_reason(nordvarme: Bundle) -> None:
    case_type = nordvarme.case_type("installation")
    assert case_type is not None
    outcomes = [_outcome("block_invoicing", reason="No signature"),
                _outcome("require_approval", approver="customer", reason="Overtime"),
                _outcome("notify", template="t"), _outcome("set_field", field="f", value=1),
                _outcome(ACTION_FAILED, action="notify", error="boom")]
    result = invoice_readiness(case_type, "in_progress", outcomes,
                               extra=[Blocker("data", "Customer VAT id is missing")])
    assert not result.ready
    assert [(b.kind, b.rule) for b in result.blockers] == [
        ("work", None), ("block", "r"), ("approval", "r"), (ACTION_FAILED, "r"), ("data", None)]
    assert result.blockers[2].reason == "Waiting for approval by the customer: Overtime"
    assert result.blockers[3].reason == "rule r: action 1 (notify) failed: boom"
