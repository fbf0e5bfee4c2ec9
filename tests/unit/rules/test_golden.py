"""The example bundles' golden tests (the project's CI runs them) and the messages
a failing golden test gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import Bundle, load_bundle, validate_data
from workorders.golden import run_golden_tests

EXAMPLES = sorted((Path(__file__).parents[3] / "definitions").glob("*.yaml"))


def _raw(name: str) -> dict[str, Any]:
    """The example's plain data as the project's reader parses it (``on`` is a key)."""
    result = load_bundle((EXAMPLES[0].parent / name).read_text(encoding="utf-8"))
    assert result.normalized is not None
    return copy.deepcopy(result.normalized)


def _bundle(data: dict[str, Any]) -> Bundle:
    result = validate_data(data)
    assert result.bundle is not None, [p.to_dict() for p in result.errors]
    return result.bundle


def _only_test(data: dict[str, Any], name: str, **expect: Any) -> Bundle:
    """``data`` with just the test named ``name``, its ``expect`` replaced."""
    data = copy.deepcopy(data)
    test = next(t for t in data["tests"] if t["name"] == name)
    test["expect"] = expect
    data["tests"] = [test]
    return _bundle(data)


def _keep(data: dict[str, Any], name: str) -> dict[str, Any]:
    data["tests"] = [t for t in data["tests"] if t["name"] == name]
    return data


@pytest.mark.parametrize("engine", ["durable", "python"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_bundles_golden_tests_pass(path: Path, engine: str) -> None:
    result = load_bundle(path.read_text(encoding="utf-8"), filename=path.name)
    assert result.bundle is not None
    assert result.bundle.tests, "every example bundle ships golden tests"
    results = run_golden_tests(result.bundle, engine=engine)  # type: ignore[arg-type]
    assert [r.failures for r in results if not r.passed] == []
    assert len(results) == len(result.bundle.tests)


NORDVARME = "nordvarme-heatpumps.yaml"
OVERTIME = "overtime without signature is blocked"


def _failures(bundle: Bundle, engine: str = "durable") -> list[str]:
    (result,) = run_golden_tests(bundle, engine=engine)  # type: ignore[arg-type]
    assert result.passed == (not result.failures)
    return result.failures


def test_a_rule_that_did_not_fire_is_named_with_what_fired_and_why() -> None:
    data = _raw(NORDVARME)
    test = next(t for t in data["tests"] if t["name"] == OVERTIME)
    test["case"]["status"] = "booked"  # missing_signature only looks at in_progress/work_done
    bundle = _bundle(data)
    failed = next(r for r in run_golden_tests(bundle) if r.name == OVERTIME)
    assert not failed.passed
    assert failed.failures == [
        "test 'overtime without signature is blocked': expected fired to include "
        "missing_signature; fired: [overtime_needs_approval] (why not: missing_signature: "
        "Case status “Booked” is none of “In progress” or “Work done”)",
        "test 'overtime without signature is blocked': expected exceptions to include "
        "MISSING_SIGNATURE; raised: []",
    ]


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_each_wrong_expectation_fails_with_its_own_message(engine: str) -> None:
    bundle = _only_test(_raw(NORDVARME), OVERTIME, fired=["expensive_material"],
                        not_fired=["missing_signature"], invoice_ready=True,
                        exceptions=["BULK_MATERIAL"], approvals=["role:admin"],
                        notified=["approval_needed"], status="work_done")
    prefix = f"test '{OVERTIME}': "
    assert _failures(bundle, engine) == [prefix + m for m in [
        "expected fired to include expensive_material; fired: [overtime_needs_approval, "
        "missing_signature] (why not: expensive_material: Material amount 0.00 is not at least "
        "60000)",
        "expected missing_signature not to fire; it fired (missing_signature: Case status "
        "“In progress” is one of “In progress” or “Work done”; Customer signature is missing)",
        "expected exceptions to include BULK_MATERIAL; raised: [MISSING_SIGNATURE]",
        "expected approvals to include role:admin; requested: [role:coordinator]",
        "expected notified to include approval_needed; notified: []",
        "expected invoice_ready true; it is false (blockers: work: The work is not finished "
        "yet (the case is In progress).; approval: Waiting for approval by a coordinator: "
        "17 h reported on INST-TEST-00001; block: No customer signature; exception: "
        "MISSING_SIGNATURE (high): INST-TEST-00001 has no customer signature)",
        "expected status work_done; status: in_progress",
    ]]


def test_invalid_test_data_fails_naming_the_validation_errors() -> None:
    data = _raw(NORDVARME)
    test = next(t for t in data["tests"] if t["name"] == OVERTIME)
    test["submit"]["data"]["photos"] = ["not an id!"]
    del test["submit"]["data"]["work_description"]
    failures = _failures(_bundle(_keep(data, OVERTIME)))
    assert len(failures) == 1
    assert failures[0].startswith(f"test '{OVERTIME}': the data submitted to form "
                                  "'installation_report' is invalid: ")
    assert "/work_description:" in failures[0] and "/photos/0:" in failures[0]


def test_a_draft_test_accepts_incomplete_data_and_runs_the_rules() -> None:
    data = _keep(_raw(NORDVARME), OVERTIME)
    submit = data["tests"][0]["submit"]
    submit["kind"] = "draft"
    del submit["data"]["work_description"]
    data["tests"][0]["expect"] = {"fired": ["overtime_needs_approval", "missing_signature"]}
    assert _failures(_bundle(data)) == []


def test_a_transition_action_refused_by_the_lifecycle_is_explained() -> None:
    data = _keep(_raw(NORDVARME), "a resolved signed service visit completes the case")
    data["tests"][0]["case"]["status"] = "in_progress"
    # the complete transition needs a *final* service_visit: a draft does not count
    data["tests"][0]["submit"]["kind"] = "draft"
    data["rules"][-1]["when"]["all"][0]["value"] = "draft"
    failures = _failures(_bundle(data))
    assert failures == [
        "test 'a resolved signed service visit completes the case': expected status "
        "work_done; status: in_progress (rule auto_complete_resolved_service: transition "
        "'complete' refused: the form “service visit” needs a final submission)"]


def test_a_transition_test_from_the_wrong_state_fails_clearly() -> None:
    data = _keep(_raw(NORDVARME), "starting the visit tells the customer")
    data["tests"][0]["case"]["status"] = "booked"
    assert _failures(_bundle(data)) == [
        "test 'starting the visit tells the customer': transition 'start' cannot start "
        "from state 'booked' (it leaves scheduled)"]


def test_a_rule_on_another_trigger_is_explained() -> None:
    data = _keep(_raw(NORDVARME), "starting the visit tells the customer")
    data["tests"][0]["expect"] = {"fired": ["missing_signature"]}
    (message,) = _failures(_bundle(data))
    assert message.endswith("(why not: missing_signature does not run on transition:start "
                            "or enter:in_progress for case type 'service')")


def test_a_template_that_fails_at_run_time_fails_the_test() -> None:
    data = _keep(_raw(NORDVARME), OVERTIME)
    data["rules"][0]["then"][0]["require_approval"]["reason"] = (
        "{{ form.customer_signature.name }} signed")
    failed, approvals = _failures(_bundle(data))
    # the approval was not requested: its action failed instead, and that cause comes
    # first (publishing quotes the first failure only)
    assert approvals == (f"test '{OVERTIME}': expected approvals to include role:coordinator; "
                         "requested: []")
    assert failed.startswith(f"test '{OVERTIME}': rule overtime_needs_approval: action 1 "
                             "(require_approval) failed: ")
    assert "has no attribute 'name'" in failed
