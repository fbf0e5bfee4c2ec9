"""The per-process registry of compiled rule lists is bounded (issue 11, item 4).

Kept for the process's life, every compiled rule list held its generated code
and, for durable-rules, its C rulesets (~8 MB for 500 rules): a server grew
with every bundle it ever compiled. These tests hold the bound, the ruleset
deletion behind it, and that an evicted rule list still evaluates correctly.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import Bundle, load_bundle
from workorders.definitions.conditions import parse_condition
from workorders.golden import check_form, form_totals, run_golden_tests
from workorders.rules import RuleSpec, compile_rules, evaluate, registry
from workorders.rules import engine as durable_engine
from workorders.rules.api import cached_count
from workorders.rules.golden import _Run

EXAMPLES = sorted((Path(__file__).parents[3] / "definitions").glob("*.yaml"))
_names = itertools.count()


@pytest.fixture
def limit() -> Iterator[Any]:
    """Set the registry's bound for one test, restored afterwards."""
    before = registry.limit()
    yield registry.set_limit
    registry.set_limit(before)


def _specs(threshold: int, rules: int = 3) -> list[RuleSpec]:
    return [RuleSpec(f"over_{threshold}_{i}", parse_condition(
        {"fact": "totals.hours", "op": "gt", "value": threshold + i})) for i in range(rules)]


def _namespace() -> str:
    return f"registry-test/{next(_names)}"


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_the_registry_keeps_at_most_the_configured_number_of_rule_lists(
        limit: Any, engine: str) -> None:
    limit(3)
    compiled = [compile_rules(_namespace(), _specs(n), engine) for n in range(6)]
    assert cached_count() == 3
    # the three most recent are still the cached objects; the oldest were evicted
    assert compile_rules(compiled[5].name.split(":")[0], _specs(5), engine) is compiled[5]
    assert compile_rules(compiled[0].name.split(":")[0], _specs(0), engine) is not compiled[0]


def test_durable_rulesets_of_evicted_rule_lists_are_deleted(limit: Any) -> None:
    limit(2)
    lists = [compile_rules(_namespace(), _specs(n, rules=60), "durable") for n in range(5)]
    for rules in lists:
        evaluate(rules, {"totals": {"hours": 100}})
    live = durable_engine.live_ruleset_names()
    assert {name.split("#")[0] for name in live} == {lists[3].name, lists[4].name}
    assert len(live) == len(lists[3].durable.chunks) + len(lists[4].durable.chunks)


def test_an_evicted_rule_list_evaluates_correctly_when_it_comes_back(limit: Any) -> None:
    limit(1)
    low = compile_rules(_namespace(), _specs(1), "durable")
    high = compile_rules(_namespace(), _specs(50), "durable")
    low_doc, high_doc = {"totals": {"hours": 3}}, {"totals": {"hours": 52}}
    assert evaluate(low, low_doc).fired == ("over_1_0", "over_1_1")
    # ``high`` evicts ``low``: its rulesets are deleted and their handles may be reused
    assert evaluate(high, high_doc).fired == ("over_50_0", "over_50_1")
    # an object still held (a request in flight) re-creates its own rulesets
    assert evaluate(low, low_doc).fired == ("over_1_0", "over_1_1")
    assert evaluate(high, high_doc).fired == ("over_50_0", "over_50_1")
    again = compile_rules(low.name.split(":")[0], _specs(1), "durable")
    assert evaluate(again, {"totals": {"hours": 1.5}}).fired == ("over_1_0",)


def test_a_bad_limit_is_refused_with_what_is_expected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        registry.set_limit(0)


def _variant(text: str, n: int) -> Bundle:
    """The example with one distinct rule, so every bundle compiles to new rule lists."""
    extra = (f"  - id: unkept_{n}\n    case_types: [installation]\n"
             f"    when: {{fact: totals.hours, op: gt, value: {1000 + n}}}\n"
             f"    then:\n      - raise_exception: {{code: V_{n}, severity: low, "
             f"assign: coordinator}}\n\n")
    result = load_bundle(text.replace("\nrules:\n", "\nrules:\n" + extra, 1))
    assert result.bundle is not None, [p.to_dict() for p in result.errors]
    return result.bundle


def test_validating_bundles_keeps_none_of_them_in_memory() -> None:
    text = (EXAMPLES[0].parent / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    for n in range(12):
        assert all(r.passed for r in run_golden_tests(_variant(text, n), engine="python"))
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, Bundle)
             and any(r.id.startswith("unkept_") for r in o.rules)]
    assert alive == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_golden_tests_observe_the_same_outcomes_through_the_evaluator(path: Path) -> None:
    """Validation runs golden tests on the Python evaluator: every observation
    (fired rules, outcomes, status, readiness) equals durable-rules' own."""
    bundle = load_bundle(path.read_text(encoding="utf-8"), filename=path.name).bundle
    assert bundle is not None and bundle.tests
    for test in bundle.tests:
        durable, python = (_Run(bundle, test, check_form, form_totals, engine).observe()
                           for engine in ("durable", "python"))
        assert (durable.fired, durable.outcomes, durable.status, durable.refused,
                durable.readiness) == (python.fired, python.outcomes, python.status,
                                       python.refused, python.readiness), test.name
