"""A version's golden tests with what they expected, what happened and why.

``services.definitions.golden_results`` answers pass/fail and the failure
sentences (what validate and publish need). The editor's tests panel and
``GET /definitions/{n}/tests`` also show, per test, the expectations beside
what was observed and the traces of the rules involved; the pure runner
(``rules.golden``) records those as ``GoldenResult.details``, so both answers
come from the same run of the same code. Like validation, it runs on the
Python evaluator: a draft gets no durable-rules ruleset.
"""

from __future__ import annotations

from typing import Any

from workorders.platform.services.definitions import bundle_of, checks_budget, get_version


def golden_report(tenant_id: int, number: int) -> dict[str, Any]:
    """``{version, tests: [{name, passed, failures, expected, actual, traces}],
    tests_passed, total, failed}`` for version ``number`` (its last valid text)."""
    from workorders.golden import run_golden_tests

    version = get_version(tenant_id, number)
    bundle = bundle_of(version)
    with checks_budget():
        results = run_golden_tests(bundle, engine="python")
    tests = []
    for r in results:
        details = r.details or {}
        tests.append({"name": r.name, "passed": r.passed, "failures": list(r.failures),
                      "expected": details.get("expected"), "actual": details.get("actual"),
                      "traces": list(details.get("traces") or [])})
    failed = sum(1 for t in tests if not t["passed"])
    return {"version": number, "tests": tests, "tests_passed": failed == 0,
            "total": len(tests), "failed": failed}
