"""Golden results carry expected vs actual and the traces the editor's tests panel shows."""

from __future__ import annotations

from pathlib import Path

from workorders.definitions import load_bundle
from workorders.golden import GoldenResult, run_golden_tests

EXAMPLE = Path(__file__).parents[3] / "definitions" / "nordvarme-heatpumps.yaml"


def _results(text: str) -> dict[str, GoldenResult]:
    result = load_bundle(text)
    assert result.bundle is not None, [p.to_dict() for p in result.errors]
    return {r.name: r for r in run_golden_tests(result.bundle, engine="python")}


def test_a_passing_test_has_expected_actual_and_traces() -> None:
    results = _results(EXAMPLE.read_text(encoding="utf-8"))
    overtime = results["overtime without signature is blocked"]
    details = overtime.details
    assert details is not None
    assert details["expected"]["approvals"] == ["role:coordinator"]
    assert details["actual"]["fired"] == ["overtime_needs_approval", "missing_signature"]
    assert details["actual"]["invoice_ready"] is False
    assert "No customer signature" in details["actual"]["blockers"]
    traces = {t["rule"]: t for t in details["traces"]}
    assert list(traces) == ["overtime_needs_approval", "missing_signature", "expensive_material"]
    assert traces["expensive_material"]["fired"] is False
    assert traces["expensive_material"]["trace"][0]["text"].startswith("Material amount")
    assert traces["overtime_needs_approval"]["trace"][0]["actual"] == "17"


def test_a_rule_that_does_not_run_for_the_test_says_why() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "      fired: [tell_customer_we_are_coming]",
        "      fired: [tell_customer_we_are_coming, leak_test_failed]")
    starting = _results(text)["starting the visit tells the customer"]
    assert starting.passed is False
    assert starting.details is not None
    leak = next(t for t in starting.details["traces"] if t["rule"] == "leak_test_failed")
    assert leak["ran"] is False and leak["trace"] == []
    assert "does not run on transition:start" in leak["note"]


def test_an_unrunnable_test_has_no_details() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '        time: [{date: "2026-11-20", hours: "8", labor: install}]',
        '        time: [{date: "2026-11-20", hours: "lots", labor: install}]')
    broken = _results(text)["expensive material asks the office manager, by email with the "
                            "case link"]
    assert broken.passed is False and broken.details is None
