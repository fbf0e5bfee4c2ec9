"""Traces and their sentences, the pattern subset, and the shared limits."""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from decimal import Decimal

import pytest

from workorders.definitions import Bundle
from workorders.rules import (
    CompiledRules,
    RuleCompileError,
    TraceEntry,
    describe,
    evaluate,
)
from workorders.rules.pattern import Pattern, PatternError
from workorders.rules.trace import TraceNames

Build = Callable[..., CompiledRules]


def test_fired_rule_has_a_trace_with_actual_values(build: Build) -> None:
    rules = build({"overtime": {"fact": "totals.hours", "op": "gt", "value": 8}})
    result = evaluate(rules, {"totals": {"hours": Decimal("9")}})
    (entry,) = result.traces["overtime"]
    assert entry == TraceEntry("totals.hours", "gt", 8, "9", True, "")
    assert describe(entry) == "Total hours 9 is more than 8"
    json.dumps([e.to_dict() for e in result.traces["overtime"]])


def test_type_mismatch_is_false_and_explained(build: Build) -> None:
    rules = build({"r": {"fact": "totals.hours", "op": "gt", "value": 8}}, "python")
    result = evaluate(rules, {"totals": {"hours": "lots"}}, trace_all=True)
    assert result.fired == ()
    (entry,) = result.traces["r"]
    assert entry.note == "type mismatch: expected a number, got text"
    assert "is not more than" in describe(entry)
    assert result.errors == ("totals.hours: type mismatch: expected a number, got text",)


def test_quantifier_trace_names_each_item(build: Build) -> None:
    rules = build({"bulk": {"any_item": "form.materials",
                            "where": {"fact": "quantity", "op": "gt", "value": 50}}})
    doc = {"form": {"materials": [{"quantity": "2"}, {"quantity": "60.5"}]}}
    trace = evaluate(rules, doc).traces["bulk"]
    assert [e.fact for e in trace] == ["form.materials[0].quantity", "form.materials[1].quantity",
                                       "form.materials"]
    assert describe(trace[-1]) == "Materials: any row matches (1 of 2 rows match)"


def test_missing_is_described(build: Build) -> None:
    rules = build({"nosig": {"fact": "form.customer_signature", "op": "missing"}})
    (entry,) = evaluate(rules, {"form": {}}).traces["nosig"]
    assert describe(entry) == "Customer signature is missing"


def test_rule_without_condition_always_fires_in_both_engines(build: Build) -> None:
    for engine in ("durable", "python"):
        assert evaluate(build({"always": None}, engine), {}).fired == ("always",)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("^[A-Z0-9-]{6,20}$", "AB-1234", True), ("[A-Z0-9-]{6,20}", "AB-12", False),
    ("a|b\\|c", "b|c", True), ("\\d+\\.\\d{2}", "9.50", True), ("[^x]*", "abc", True),
    ("a.c", "a\nc", False),
])
def test_pattern_subset(pattern: str, text: str, expected: bool) -> None:
    assert Pattern(pattern).fullmatch(text) is expected


@pytest.mark.parametrize("pattern", ["(a+)+", "a{1,99}", "\\1", "[a-", "*a", ""])
def test_pattern_outside_the_subset_is_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        Pattern(pattern)


def test_hostile_pattern_matches_in_linear_time() -> None:
    assert Pattern("a*a*a*a*a*a*a*b").fullmatch("a" * 5000) is False


@pytest.mark.parametrize("leaf", [
    {"fact": "a", "op": "gt", "value": "text"}, {"fact": "a", "op": "eq", "value": None},
    {"fact": "a", "op": "eq", "value": Decimal("0.0000001")}, {"fact": "a", "op": "in", "value": 3},
    {"fact": "a", "op": "matches", "value": "(x)"}, {"fact": "a", "op": "lt", "value": 10**13},
])
def test_both_engines_refuse_rules_outside_the_shared_limits(build: Build, leaf: dict) -> None:
    for engine in ("durable", "python"):
        with pytest.raises(RuleCompileError):
            build({"bad": leaf}, engine)


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def test_rss_does_not_grow_over_20000_evaluations(build: Build) -> None:
    rules = build({f"r{i}": {"fact": "totals.hours", "op": "gt", "value": i} for i in range(20)})
    doc = {"totals": {"hours": Decimal("9.5")}, "form": {"x": "y"}}
    for _ in range(2000):
        evaluate(rules, doc)
    before = _rss_kb()
    for _ in range(20000):
        evaluate(rules, doc)
    assert _rss_kb() <= before * 1.10


# --- issue 15, words not ids: traces read with the definition's labels -------------------

def _nordvarme() -> Bundle:
    from tests.unit.forms.conftest import EXAMPLES, load

    return load(next(p for p in EXAMPLES if p.stem.startswith("nordvarme")).read_bytes())


@pytest.mark.parametrize(("entry", "sentence"), [
    (TraceEntry("totals.hours", "gt", 16, "17", True), "Total hours 17 is more than 16"),
    (TraceEntry("totals.hours", "gt", 16, "12", False), "Total hours 12 is not more than 16"),
    (TraceEntry("form.installed_heat_pump", "eq", False, False, True),
     "A heat pump was installed: no"),
    (TraceEntry("form.installed_heat_pump", "eq", True, False, False),
     "A heat pump was installed: no (the rule asks for yes)"),
    (TraceEntry("form.customer_signature", "missing", None, None, True, "missing"),
     "Customer signature is missing"),
    (TraceEntry("form.materials[2].quantity", "gt", 50, "60.5", True),
     "Material, row 3: Quantity 60.5 is more than 50"),
    (TraceEntry("case.status", "in", ["in_progress", "work_done"], "booked", False),
     "Case status “Booked” is none of “In progress” or “Work done”"),
    (TraceEntry("form.unknown_field", "gt", 3, None, False, "missing"),
     "Unknown field is missing, so it cannot be checked (is more than 3)"),
])
def test_trace_sentences_use_labels_and_the_op_words(entry: TraceEntry, sentence: str) -> None:
    bundle = _nordvarme()
    text = describe(entry, TraceNames(bundle, bundle.case_types[0].id))
    assert text == sentence
    assert "no = no" not in text and "_" not in text and "[" not in text


def test_without_a_bundle_the_path_still_reads_as_words() -> None:
    entry = TraceEntry("form.follow_up_needed", "eq", False, False, True)
    assert describe(entry) == "Follow up needed: no"
