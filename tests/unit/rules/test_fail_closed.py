"""What the speed-ups must not weaken: the re-check of fired rules, lazy traces
that still refuse a contradiction, and the projection plan's cached parts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from workorders.rules import CompiledRules, RuleEngineError, evaluate
from workorders.rules.projection import encode_number

Build = Callable[..., CompiledRules]
RULES = {"over": {"fact": "totals.hours", "op": "gt", "value": 8},
         "signed": {"fact": "form.customer_signature", "op": "present"}}
DOC: dict[str, Any] = {"totals": {"hours": Decimal("9")}, "form": {}}


def test_a_rule_durable_fired_but_python_rejects_fails_closed(
        build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = build(RULES)
    assert rules.durable is not None
    monkeypatch.setattr(rules.durable, "fired", lambda document: {0, 1})
    with pytest.raises(RuleEngineError, match="engines disagree"):
        evaluate(rules, DOC)


def test_a_trace_contradicting_the_decision_raises_when_read(
        build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = build(RULES)
    result = evaluate(rules, DOC)
    assert result.fired == ("over",)
    monkeypatch.setattr(rules.python, "trace", lambda rule_id, document: (False, ()))
    with pytest.raises(RuleEngineError, match="engines disagree on rule over"):
        result.traces["over"]


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_traces_are_written_on_first_read_for_fired_rules_only(
        build: Build, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = build(RULES, engine)
    calls: list[str] = []
    real = rules.python.trace

    def counting(rule_id: str, document: dict[str, Any]) -> Any:
        calls.append(rule_id)
        return real(rule_id, document)

    monkeypatch.setattr(rules.python, "trace", counting)
    result = evaluate(rules, DOC)
    assert calls == []
    assert list(result.traces) == ["over"] and len(result.traces) == 1
    assert result.traces["over"][0].actual == "9"
    assert result.traces["over"] is result.traces["over"]
    assert calls == ["over"]
    with pytest.raises(KeyError):
        result.traces["signed"]
    assert dict(result.traces) == {"over": result.traces["over"]}


def test_trace_all_traces_every_rule_eagerly(build: Build) -> None:
    result = evaluate(build(RULES), DOC, trace_all=True)
    assert list(result.traces) == ["over", "signed"]
    assert result.traces["signed"][0].note == "missing"


@pytest.mark.parametrize(("a", "b"), [(9, Decimal("9.000")), (Decimal("0.1"), Decimal("0.10"))])
def test_cached_number_encodings_are_shared_by_equal_numbers(a: Any, b: Any) -> None:
    assert encode_number(a) == encode_number(b)
    assert encode_number(Decimal("0.1000001")) == encode_number(Decimal("0.1")) + 1


def test_absent_facts_project_as_before(build: Build) -> None:
    rules = build({"t": {"fact": "form.note", "op": "contains", "value": "leak"},
                   "m": {"fact": "form.note", "op": "missing"}})
    assert rules.durable is not None
    (chunk,) = rules.durable.chunks
    assert evaluate(rules, {"form": {}}).fired == ("m",)
    assert evaluate(rules, {"form": {"note": "a leak"}}).fired == ("t",)
    # slots: a0 list members, a1 text contains, a2 presence. Absent, "" and []
    # leave out presence and members; the contains outcome is a plain false
    for empty in ({}, {"note": ""}, {"note": []}, {"note": None}):
        assert chunk.project({"form": empty}) == {"a1": False}
    assert chunk.project({"form": {"note": "a leak"}}) == {"a1": True, "a2": 1}
    assert chunk.project({"form": {"note": ["leak"]}}) == {"a0": ["leak"], "a1": False,
                                                          "a2": 1}
    assert chunk.project({"form": {"note": True}}) == {"a1": False, "a2": 1}


def test_eager_traces_are_the_re_check(build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = build(RULES)
    assert rules.durable is not None
    result = evaluate(rules, DOC, eager=True)
    assert result.fired == ("over",) and result.traces["over"][0].result is True
    monkeypatch.setattr(rules.durable, "fired", lambda document: {0, 1})
    with pytest.raises(RuleEngineError, match="engines disagree on rule signed"):
        evaluate(rules, DOC, eager=True)


@pytest.mark.parametrize("fact", ["q'uote\n)", "x.\"y\\\\", "a.b.c'd"])
def test_projection_plans_never_embed_fact_paths(build: Build, fact: str) -> None:
    """Generated projection code takes keys as objects: odd paths are just keys."""
    rules = build({"r": {"fact": fact, "op": "eq", "value": "v"}})
    document: dict[str, Any] = {}
    node = document
    *parents, last = fact.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = "v"
    assert evaluate(rules, document).fired == ("r",)
    assert evaluate(rules, {}).fired == ()
