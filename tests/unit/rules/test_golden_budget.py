"""Under a checks budget the golden runner stops between tests (and the sandbox
inside a render) once the time is spent, instead of running every slow test."""

from __future__ import annotations

import time

import pytest

from tests.support.hostile_bundles import slow_bundle
from workorders.definitions import load_bundle
from workorders.definitions.check_budget import CheckBudgetExceeded, check_budget
from workorders.golden import run_golden_tests


def test_slow_golden_tests_stop_soon_after_the_budget() -> None:
    bundle = load_bundle(slow_bundle()).bundle
    assert bundle is not None
    started = time.monotonic()
    with pytest.raises(CheckBudgetExceeded, match=r"took longer than 0\.3 s"), check_budget(0.3):
        run_golden_tests(bundle, engine="python")
    assert time.monotonic() - started < 0.6


def test_without_a_budget_the_same_tests_run_to_the_end() -> None:
    bundle = load_bundle(slow_bundle(tests=3)).bundle
    assert bundle is not None
    results = run_golden_tests(bundle, engine="python")
    assert len(results) == 3 + len(load_bundle(slow_bundle(tests=0)).bundle.tests)  # type: ignore[union-attr]
    assert all(r.passed for r in results), [r.failures for r in results if not r.passed]
