"""``on_my_way`` in a lifecycle, and the rule trigger of the same name that only a
lifecycle with it can fire."""

from __future__ import annotations

from tests.support.cases import ROOT
from workorders.definitions import load_bundle
from workorders.platform.services.field_work import rounded_hours, work_not_started

EXAMPLE = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")


def test_the_example_uses_on_my_way_and_a_rule_on_it() -> None:
    bundle = load_bundle(EXAMPLE.encode()).bundle
    assert bundle is not None
    installation = bundle.case_type("installation")
    assert installation is not None and installation.lifecycle.on_my_way is True
    assert [r.id for r in bundle.rules_for("installation", "on_my_way")] == [
        "text_customer_on_my_way"]
    assert work_not_started(installation, "scheduled")
    assert not work_not_started(installation, "in_progress")  # one step from Work done
    assert not work_not_started(installation, "cancelled")


def test_a_rule_on_on_my_way_needs_a_lifecycle_that_has_it() -> None:
    result = load_bundle(EXAMPLE.replace("      on_my_way: true\n", "").encode())
    assert result.bundle is None
    [problem] = result.errors
    assert "trigger 'on_my_way' never fires" in problem.message
    assert "on_my_way: true" in (problem.hint or "")


def test_on_my_way_must_be_a_boolean() -> None:
    result = load_bundle(EXAMPLE.replace("on_my_way: true", "on_my_way: sometimes", 1).encode())
    assert result.bundle is None and result.errors


def test_stopped_time_is_in_quarter_hours_and_at_least_one() -> None:
    assert str(rounded_hours(60)) == "0.25"
    assert str(rounded_hours(80 * 60)) == "1.25"
    assert str(rounded_hours(7.4 * 3600)) == "7.50"
