"""The generated predicates and tracers: bundle text is data, never code, they
agree with the closure tracers (the reference) on the cases the differential
test rarely hits, and generation stays within its budget."""

from __future__ import annotations

from typing import Any

import pytest

from workorders.definitions.conditions import parse_condition
from workorders.rules import RuleSpec, codegen
from workorders.rules.evaluator import PythonRules
from workorders.rules.predicates import compile_predicates

HOSTILE = "x') or exec('raise SystemExit') or ('"  # no dot: a dot splits a path


def _rules(raw: dict[str, Any]) -> PythonRules:
    return PythonRules([RuleSpec(rid, parse_condition(c)) for rid, c in raw.items()])


def test_hostile_fact_names_and_values_are_data() -> None:
    rules = _rules({
        "eq": {"fact": f"form.{HOSTILE}", "op": "eq", "value": HOSTILE},
        "in": {"fact": HOSTILE, "op": "in", "value": [HOSTILE, "b"]},
        "item": {"any_item": HOSTILE, "where": {"fact": HOSTILE, "op": "contains",
                                                 "value": "'''"}},
    })
    doc = {"form": {HOSTILE: HOSTILE}, HOSTILE: "b"}
    assert rules.fired(doc) == ["eq", "in"]
    assert rules.fired({HOSTILE: [{HOSTILE: "a'''b"}]}) == ["item"]


DOCS: list[dict[str, Any]] = [
    {}, {"n": None}, {"n": ""}, {"n": []}, {"n": "9.5"}, {"n": 9}, {"n": True},
    {"n": "2026-11-20"}, {"n": ["9", 9, "x"]}, {"n": {"n": 1}}, {"n": "abc"},
    {"lines": [{"q": "2"}, {"q": None}]}, {"lines": "x"}, {"lines": []},
]
CONDITIONS: list[dict[str, Any]] = [
    {"fact": "n", "op": "gt", "value": 9},
    {"fact": "n", "op": "lte", "value": "2026-12-01"},
    {"fact": "n", "op": "eq", "value": True},
    {"fact": "n", "op": "ne", "value": "abc"},
    {"fact": "n", "op": "in", "value": [9, "abc", True]},
    {"fact": "n", "op": "not_in", "value": [9, "abc"]},
    {"fact": "n", "op": "contains", "value": 9},
    {"fact": "n", "op": "contains", "value": "b"},
    {"fact": "n", "op": "matches", "value": "[0-9.]+"},
    {"fact": "n", "op": "missing"},
    {"fact": "n.n", "op": "present"},
    {"not": {"any": []}},
    {"all": []},
    {"all_items": "lines", "where": {"not": {"fact": "q", "op": "lt", "value": 1}}},
    {"any_item": "lines", "where": {"any_item": "sub", "where": {"all": []}}},
]


@pytest.mark.parametrize("raw", CONDITIONS, ids=[str(c) for c in CONDITIONS])
def test_predicate_and_tracer_agree(raw: dict[str, Any]) -> None:
    spec = RuleSpec("r", parse_condition(raw))
    (predicate,) = compile_predicates([spec])
    assert predicate is not None
    rules = PythonRules([spec])
    for doc in DOCS:
        assert predicate(doc) is rules.trace("r", doc)[0], doc


def test_rules_past_the_generation_budget_are_decided_by_their_tracer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {"one": CONDITIONS[0], "two": {"all": CONDITIONS[:2]}, "three": CONDITIONS[4]}
    specs = [RuleSpec(rid, parse_condition(c)) for rid, c in raw.items()]
    generated = compile_predicates(specs, budget=2)
    assert [p is not None for p in generated] == [True, False, True]
    full = PythonRules(specs)
    monkeypatch.setattr(codegen, "GENERATED_NODES", 2)
    budgeted = PythonRules(specs)
    for doc in DOCS:
        assert budgeted.fired(doc) == full.fired(doc), doc
    assert budgeted.fired({"n": 10}) == ["one"] and budgeted.fired({"n": 9}) == ["three"]


def test_tracers_are_generated_on_first_trace_within_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codegen, "GENERATED_NODES", 2)
    rules = _rules({"one": CONDITIONS[0], "two": {"all": CONDITIONS[:2]},
                    "three": CONDITIONS[4]})
    assert rules._tracers == {}  # nothing generated before a trace is asked for
    for rule_id in ("two", "one", "three"):
        for doc in DOCS:
            assert rules.trace(rule_id, doc) == rules.reference_trace(rule_id, doc), doc
    # "two" (2 nodes) used the budget up: the others trace with their closures
    assert rules._tracers["two"] is not rules._closures["two"]
    assert rules._tracers["one"] is rules._closures["one"]
    assert rules._tracers["three"] is rules._closures["three"]
