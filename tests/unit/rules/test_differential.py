"""Differential test: durable-rules and the pure evaluator fire the same rules."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workorders.definitions.conditions import Condition
from workorders.rules import RuleCompileError, RuleSpec, compile_rules, evaluate

from .strategies import TOP_FACTS, conditions, documents


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conditions(TOP_FACTS, 3), min_size=1, max_size=4),
       st.lists(documents(), max_size=3))
def test_durable_and_python_fire_the_same_rules(
    whens: list[Condition], docs: list[dict[str, Any]]
) -> None:
    specs = [RuleSpec(f"rule_{i}", when) for i, when in enumerate(whens)]
    try:
        durable = compile_rules("test/diff", specs, "durable")
    except RuleCompileError:
        return  # over a shared limit: both engines refuse (tested elsewhere)
    python = compile_rules("test/diff", specs, "python")
    for doc in docs:
        expected = evaluate(python, doc).fired
        # trace_all re-checks every rule with the tracer too (raises on disagreement)
        assert evaluate(durable, doc, trace_all=True).fired == expected
