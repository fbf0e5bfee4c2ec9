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


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conditions(TOP_FACTS, 3), min_size=1, max_size=4),
       st.lists(documents(), min_size=1, max_size=3))
def test_generated_tracers_write_the_reference_traces(
    whens: list[Condition], docs: list[dict[str, Any]]
) -> None:
    """The generated tracers (used) against the closure tracers (the reference):
    every entry's fact, op, value, actual, result and note."""
    specs = [RuleSpec(f"rule_{i}", when) for i, when in enumerate(whens)]
    try:
        rules = compile_rules("test/traces", specs, "python").python
    except RuleCompileError:
        return
    for doc in docs:
        for spec in specs:
            assert rules.trace(spec.id, doc) == rules.reference_trace(spec.id, doc)


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


def _chain(depth: int) -> dict[str, Any]:
    """and(tag, x) with ``depth`` alternating $and/$or nodes below it."""
    node: Any = {"a0": 1}
    for i in range(depth):
        node = {"$or" if i % 2 else "$and": [node, {f"a{i + 1}": 1}]}
    return {"$and": [{"t": "snap"}, node]}


def test_raw_engine_allows_15_and_or_nodes_per_rule_and_fails_16_with_113() -> None:
    import json

    import durable_rules_engine as dre  # type: ignore[import-not-found]

    dre.create_ruleset("raw-nodes-15", json.dumps({"r": {"all": [{"m": _chain(14)}]}}))
    with pytest.raises(dre.error, match="113"):
        dre.create_ruleset("raw-nodes-16", json.dumps({"r": {"all": [{"m": _chain(15)}]}}))


_NOT_IN = {"fact": "a", "op": "not_in", "value": [0, 1, "5"]}
_CONTAINS = {"fact": "a", "op": "contains", "value": "5"}


def test_nested_nodes_are_flattened_so_this_rule_fits() -> None:
    """Found by the differential test: 16 nodes as written, 10 once flattened."""
    from workorders.definitions.conditions import parse_condition

    when = parse_condition({"all": [{"all": [{"fact": "a", "op": "in", "value": [0, 1]},
                                             {"all": [_NOT_IN, _CONTAINS]}]},
                                    {"all": [_NOT_IN, _CONTAINS]}]})
    durable = compile_rules("test/flattened", [RuleSpec("r", when)], "durable")
    python = compile_rules("test/flattened", [RuleSpec("r", when)], "python")
    for doc in ({}, {"a": 0}, {"a": "5"}, {"a": ["5"]}):
        assert evaluate(durable, doc).fired == evaluate(python, doc).fired == ()


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_rules_beyond_15_nodes_are_refused_by_both_engines(engine: str) -> None:
    from workorders.definitions.conditions import parse_condition

    # each not_in of two kinds adds an $and and two $or nodes that cannot be flattened
    mixed = {"fact": "a", "op": "not_in", "value": [1, "x"]}
    when = parse_condition({"any": [{"all": [mixed, {"fact": f"b{i}", "op": "present"}]}
                                    for i in range(5)]})
    with pytest.raises(RuleCompileError, match="too large"):
        compile_rules("test/too-many-nodes", [RuleSpec("r", when)], engine)  # type: ignore[arg-type]
