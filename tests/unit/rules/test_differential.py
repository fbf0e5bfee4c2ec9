"""Differential test: durable-rules and the pure evaluator fire the same rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workorders.definitions.conditions import All, AnyOf, Condition, Not, Quantifier
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


_CONSTANT_WHERE = [All(()), AnyOf(())]  # an empty all holds, an empty any does not
_LISTS: list[dict[str, Any]] = [{}, {"items": []}, {"items": [{}]}, {"items": [{}, {}]},
                                {"items": "x"}]


@pytest.mark.parametrize("negated", [False, True])
@pytest.mark.parametrize("kind", ["any_item", "all_items"])
@pytest.mark.parametrize("where", _CONSTANT_WHERE, ids=["all-empty", "any-empty"])
def test_quantifiers_over_a_constant_condition_agree(
        kind: str, where: Condition, negated: bool) -> None:
    """Found by the differential test: ``not any_item(items, all: [])`` fired on a
    non-empty list because the negated constant cases were swapped."""
    cond: Condition = Quantifier(kind, "items", where)  # type: ignore[arg-type]
    specs = [RuleSpec("r", Not(cond) if negated else cond)]
    durable = compile_rules("test/constant-where", specs, "durable")
    python = compile_rules("test/constant-where", specs, "python")
    for doc in _LISTS:
        assert evaluate(durable, doc).fired == evaluate(python, doc).fired, doc
