"""One regression test per durable-rules fact the engine design relies on.

Raw crash reproductions (endless loops, freezes) run in a subprocess with a
timeout; everything else tests our engine's behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from workorders.rules import CompiledRules, RuleEngineError, compile_rules, evaluate
from workorders.rules import engine as durable_engine
from workorders.rules.compiler import MAX_CONDS, MAX_SLOTS, MAX_TRUE, compile_chunks
from workorders.rules.model import RuleSpec

Build = Callable[..., CompiledRules]
GT = {"fact": "totals.hours", "op": "gt", "value": 8}


def _raw(code: str, timeout: float = 5) -> subprocess.CompletedProcess[str] | None:
    """Run raw durable-rules code in a child; None when it had to be killed."""
    prelude = "import json, durable_rules_engine as d\n"
    try:
        return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None


def test_facts_fire_every_matching_rule(build: Build) -> None:
    rules = build({"one": GT, "two": {"fact": "totals.hours", "op": "gte", "value": 9}})
    assert evaluate(rules, {"totals": {"hours": 9}}).fired == ("one", "two")


def test_unchanged_snapshot_fires_again_on_every_evaluation(build: Build) -> None:
    rules = build({"one": GT})
    doc = {"totals": {"hours": 9}}
    assert [evaluate(rules, doc).fired for _ in range(3)] == [("one",)] * 3


def test_nothing_matching_still_completes_through_the_sentinel(build: Build) -> None:
    rules = build({"one": GT})
    assert evaluate(rules, {"totals": {"hours": 1}}).fired == ()


def test_missing_sentinel_firing_fails_closed(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = build({"one": GT})
    def without_sentinel(handle: int, sid: str, payload: str, positions: dict[str, int],
                         fired: set[int]) -> bool:
        fired.add(positions["r0"])
        return False

    monkeypatch.setattr(durable_engine, "_run", without_sentinel)
    with pytest.raises(RuleEngineError, match="did not complete"):
        evaluate(rules, {"totals": {"hours": 9}})


def test_a_refused_ruleset_creation_is_retried(
    build: Build, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """durable-rules sometimes refuses a valid definition once (error 102)."""
    real, calls = durable_engine._dre.create_ruleset, []

    def flaky(name: str, text: str) -> int:
        calls.append(name)
        if len(calls) == 1:
            raise durable_engine._dre.error("Could not create ruleset, error code: 102")
        return real(name, text)  # type: ignore[no-any-return]

    monkeypatch.setattr(durable_engine._dre, "create_ruleset", flaky)
    rules = build({"one": GT})
    assert evaluate(rules, {"totals": {"hours": 9}}).fired == ("one",)
    assert len(calls) == 2 and "attempt 2 of 3" in caplog.text


_RECYCLED_HEAP = """
from workorders.definitions.conditions import parse_condition
from workorders.rules import RuleSpec, compile_rules, evaluate, registry
registry.set_limit(1)  # every new rule list deletes the last one's rulesets
where = {"any": [{"fact": "article", "op": "eq", "value": "A"},
                 {"fact": "quantity", "op": "gt", "value": 3}]}
for n in range(40):
    specs = [RuleSpec(f"r{i}", parse_condition({"all": [
        {"fact": "totals.hours", "op": "gt", "value": n + i},
        {"any_item": "form.materials", "where": where}]})) for i in range(3)]
    rules = compile_rules(f"recycled/{n}", specs, "durable")
    assert evaluate(rules, {"totals": {"hours": 50}, "form": {"materials": [
        {"article": "B", "quantity": 5}]}}).fired == ("r0", "r1", "r2")
print("created", n + 1)
"""


def test_a_quantifier_ending_in_or_is_created_whatever_the_heap_holds() -> None:
    """The error-102 refusals: for ``$iany``/``$iall`` durable-rules reads the type of
    the last node its condition made, and an ``$or`` ends in a forward node whose
    type is never set (rete.c, createAlpha). Heap memory freed with 0x09 in it
    (``MALLOC_PERTURB_=9`` makes every freed byte so; deleted rulesets leave node
    data) was refused nine times in ten; such conditions now end in a test that
    is always true."""
    env = {**os.environ, "MALLOC_PERTURB_": "9"}
    result = subprocess.run([sys.executable, "-c", _RECYCLED_HEAP], capture_output=True,
                            text=True, timeout=120, check=False, env=env)
    assert result.returncode == 0 and "created 40" in result.stdout, result.stderr[-2000:]


def test_a_ruleset_refused_every_time_fails_closed(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(name: str, text: str) -> int:
        raise durable_engine._dre.error("Could not create ruleset, error code: 102")

    monkeypatch.setattr(durable_engine._dre, "create_ruleset", refuse)
    rules = build({"one": GT})
    with pytest.raises(RuleEngineError, match="cannot create ruleset"):
        evaluate(rules, {"totals": {"hours": 9}})
    assert not any(n.startswith(rules.name) for n in durable_engine.live_ruleset_names())


def test_every_rule_carries_the_type_tag_and_nex_only_rules_terminate(build: Build) -> None:
    rules = build({"unsigned": {"fact": "form.signature", "op": "missing"}})
    for chunk in rules.durable.chunks:
        for body in chunk.definition.values():
            match = body["all"][0]["m"]
            assert match == {"t": "snap"} or match["$and"][0] == {"t": "snap"}
    assert evaluate(rules, {}).fired == ("unsigned",)


def test_raw_nex_only_rule_also_matches_the_engine_state_fact() -> None:
    """Through Host this loops forever; through the fact API it fires for the state fact too."""
    code = ("h = d.create_ruleset('x', json.dumps({'r': {'all': [{'m': {'$nex': {'a': 1}}}]}}))\n"
            "r = d.assert_fact(h, json.dumps({'sid': '1', 'id': 'f', 'b': 1}))\n"
            "n = 0\nres = d.start_action_for_state(h, r[1])\n"
            "while res and n < 1000:\n    n += 1\n    res = d.complete_and_start_action(h, r[1])\n"
            "print(n)\n")
    done = _raw(code)
    assert done is None or int(done.stdout) >= 2


def test_or_branches_are_deduplicated(build: Build) -> None:
    rules = build({"either": {"any": [GT, {"fact": "totals.hours", "op": "gt", "value": 1}]}})
    assert evaluate(rules, {"totals": {"hours": 9}}).fired == ("either",)


@pytest.mark.parametrize("hours", [Decimal("0.00001"), 10**30, -(10**30), float("nan"),
                                   Decimal("NaN"), float("inf"), "8.0000001"])
def test_numbers_the_engine_cannot_parse_are_encoded(build: Build, hours: Any) -> None:
    rules = build({"over": GT, "small": {"fact": "totals.hours", "op": "lt", "value": 1}})
    doc = {"totals": {"hours": hours}}
    expected = {Decimal("0.00001"): ("small",), 10**30: ("over",), -(10**30): ("small",),
                "8.0000001": ("over",)}.get(hours, ())
    assert evaluate(rules, doc).fired == expected == tuple(rules.python.fired(doc))


def test_raw_engine_rejects_1e_05() -> None:
    code = ("h = d.create_ruleset('x', json.dumps({'r': {'all': [{'m': {'$gt': {'a': 1}}}]}}))\n"
            "try:\n    d.assert_fact(h, json.dumps({'sid': '1', 'id': 'f', 'a': 1e-05}))\n"
            "except Exception as e:\n    print(e)\n")
    done = _raw(code)
    assert done is not None and "204" in done.stdout


@pytest.mark.parametrize(("value", "ne_fires"),
                         [(None, False), ("", False), ("x", True), (8, False)])
def test_missing_null_and_ne(build: Build, value: Any, ne_fires: bool) -> None:
    rules = build({"ne": {"fact": "a", "op": "ne", "value": 8},
                   "missing": {"fact": "a", "op": "missing"}})
    fired = evaluate(rules, {"a": value}).fired
    assert ("ne" in fired) is (ne_fires and value != "x")  # text vs number: type mismatch
    assert ("missing" in fired) is (value in (None, ""))


def test_all_items_on_empty_list_is_false(build: Build) -> None:
    rules = build({"all": {"all_items": "lines", "where": {"fact": "q", "op": "gt", "value": 0}}})
    assert evaluate(rules, {"lines": []}).fired == ()
    assert evaluate(rules, {"lines": [{"q": "1"}]}).fired == ("all",)


def test_projection_keeps_documents_under_255_properties(build: Build) -> None:
    rules = build({"one": GT})
    doc = {"totals": {"hours": 9}, "form": {f"f{i}": i for i in range(1000)}}
    assert evaluate(rules, doc).fired == ("one",)
    assert len(rules.durable.chunks[0].project(doc)) == 1


def test_more_than_64_true_rules_are_split_across_rulesets(build: Build) -> None:
    rules = build({f"r{i}": {"fact": "n", "op": "gt", "value": -i} for i in range(200)})
    assert len(rules.durable.chunks) >= 200 // MAX_TRUE
    assert len(evaluate(rules, {"n": 5}).fired) == 200


def test_raw_65_true_results_fail_with_303() -> None:
    code = ("rs = {f'r{i}': {'all': [{'m': {'$gt': {'a': -i}}}]} for i in range(70)}\n"
            "h = d.create_ruleset('x', json.dumps(rs))\n"
            "try:\n    d.assert_fact(h, json.dumps({'sid': '1', 'id': 'f', 'a': 5}))\n"
            "except Exception as e:\n    print(e)\n")
    done = _raw(code)
    assert done is not None and "303" in done.stdout


def test_raw_more_than_512_conditions_freeze_creation() -> None:
    code = ("rs = {f'r{i}': {'all': [{'m': {'$gt': {'a': i}}}]} for i in range(600)}\n"
            "d.create_ruleset('x', json.dumps(rs))\nprint('created')\n")
    assert _raw(code, timeout=3) is None


def test_1000_rules_compile_in_chunks_and_evaluate_correctly(build: Build) -> None:
    raw = {f"r{i}": {"all": [{"fact": "n", "op": "gte", "value": i},
                             {"fact": "s", "op": "in", "value": ["a", "b"]}]} for i in range(1000)}
    rules = build(raw)
    for chunk in rules.durable.chunks:
        assert len(chunk.definition) - 1 <= MAX_CONDS // 2
    assert evaluate(rules, {"n": 10, "s": "b"}).fired == tuple(f"r{i}" for i in range(11))


def test_sessions_are_deleted_so_1024_is_never_reached(build: Build) -> None:
    rules = build({"one": GT})
    for _ in range(1500):
        evaluate(rules, {"totals": {"hours": 1}})
    assert evaluate(rules, {"totals": {"hours": 9}}).fired == ("one",)


def test_threads_with_fresh_sessions_get_correct_results(build: Build) -> None:
    rules = build({"one": GT, "two": {"fact": "n", "op": "eq", "value": 1}})
    wrong: list[Any] = []

    def work(n: int) -> None:
        for k in range(300):
            doc = {"totals": {"hours": k % 12}, "n": n % 2}
            if evaluate(rules, doc).fired != tuple(rules.python.fired(doc)):
                wrong.append(doc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_rulesets_are_named_by_content_and_created_once(build: Build) -> None:
    specs = [RuleSpec("one", None)]
    first = compile_rules("tenant/1/inst", specs)
    assert compile_rules("tenant/1/inst", specs) is first
    evaluate(first, {})
    evaluate(first, {})
    assert sum(n.startswith(first.name) for n in durable_engine.live_ruleset_names()) == 1


def test_chunks_share_one_projection_when_its_slots_fit(build: Build) -> None:
    rules = build({f"r{i}": {"fact": "n", "op": "gt", "value": -i} for i in range(200)})
    chunks = rules.durable.chunks
    assert len(chunks) > 1 and all(c.project == chunks[0].project for c in chunks)


def test_rules_over_the_slot_budget_get_one_projection_per_chunk(build: Build) -> None:
    raw = {f"r{i}": {"fact": f"f{i}", "op": "gt", "value": 0} for i in range(MAX_SLOTS + 50)}
    rules = build(raw)
    doc = {f"f{i}": i % 2 for i in range(MAX_SLOTS + 50)}
    chunks = rules.durable.chunks
    assert len({id(c.project.__self__) for c in chunks}) == len(chunks) > 1
    assert all(len(c.project(doc)) <= MAX_SLOTS for c in chunks)
    assert evaluate(rules, doc).fired == tuple(f"r{i}" for i in range(1, MAX_SLOTS + 50, 2))


def test_chunks_stay_within_every_budget() -> None:
    specs = [RuleSpec(f"r{i}", None) for i in range(300)]
    chunks = compile_chunks(specs)
    assert all(len(c.positions) <= MAX_TRUE for c in chunks)
    assert sum(len(c.positions) for c in chunks) == 300
