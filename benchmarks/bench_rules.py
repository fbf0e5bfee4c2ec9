"""Rule evaluation benchmark: `python benchmarks/bench_rules.py`.

One realistic case snapshot against generated 10-, 50- and 1,000-rule sets
(mixed ops and quantifiers, 3 rules firing), printed beside the lean
durable-rules fact API on the same conditions (the baseline), the pure-Python
evaluator, hand-written predicates (the limit) and zen-engine (a peer).

"durable-rules path (ours)" is ``evaluate``: projection, durable-rules, and the
fail-closed re-check of every fired rule by the Python predicate; traces are
written lazily. "+ fired traces" is ``evaluate(..., eager=True)``: every fired
rule's trace written at once and serving as the re-check (what the platform
does on a submission). The lean baseline asserts an already projected fact and
checks nothing.
"""

from __future__ import annotations

import importlib
import itertools
import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import durable_rules_engine as dre  # type: ignore[import-not-found]

from workorders.definitions.conditions import parse_condition
from workorders.rules import RuleSpec, compile_rules, evaluate

SNAPSHOT: dict[str, Any] = {
    "case": {"status": "in_progress", "type": "installation", "number": "INST-2026-00042",
             "fields": {"customer_reference": "PO-1"}},
    "form_id": "service_report",
    "form": {"time": [{"date": "2026-11-20", "hours": "9", "labor": "install"},
                      {"date": "2026-11-20", "hours": "1.5", "labor": "travel"}],
             "materials": [{"article": "HP-F2120", "quantity": "1", "unit_price": "48500.00"},
                           {"article": "CU15", "quantity": "12.5", "unit_price": "89.00"}],
             "work_description": "Installed heat pump, fixed a small leak", "photos": ["p1"],
             "installed_heat_pump": True, "heat_pump_serial": "F2120-88812"},
    "totals": {"hours": Decimal("10.5"), "billable_hours": Decimal("10.5"),
               "labor_amount": Decimal("6930.00"), "material_amount": Decimal("49612.50"),
               "net_amount": Decimal("56542.50"), "vat_amount": Decimal("14135.63"),
               "gross_amount": Decimal("70678.13")},
    "submission": {"kind": "final"}, "actor": {"role": "technician", "email": "t@example.test"},
}


def _num(v: Any) -> Decimal:
    return Decimal(v)


def _rule(i: int, fire: bool) -> tuple[dict[str, Any], Callable[[dict[str, Any]], bool], str]:
    """(condition, hand-written predicate, zen expression) of generated rule ``i``."""
    k = 0 if fire else 1000 + i
    kind = i % 6
    if kind == 0:
        return ({"fact": "totals.hours", "op": "gt", "value": 8 + k},
                lambda d: d["totals"]["hours"] > 8 + k, f"totals.hours > {8 + k}")
    if kind == 1:
        states = ["in_progress", "work_done"] if fire else [f"s{i}", "cancelled"]
        return ({"all": [{"fact": "case.status", "op": "in", "value": states},
                         {"fact": "form.customer_signature", "op": "missing"}]},
                lambda d: d["case"]["status"] in states
                and not d["form"].get("customer_signature"),
                f"case.status in {json.dumps(states)} and form.customer_signature == null")
    if kind == 2:
        return ({"any_item": "form.materials", "where": {"fact": "quantity", "op": "gt",
                                                         "value": 10 + k}},
                lambda d: any(_num(m["quantity"]) > 10 + k for m in d["form"]["materials"]),
                f"some(form.materials, number(#.quantity) > {10 + k})")
    if kind == 3:
        return ({"fact": "totals.material_amount", "op": "gte", "value": 10000 + k * 100},
                lambda d: d["totals"]["material_amount"] >= 10000 + k * 100,
                f"totals.material_amount >= {10000 + k * 100}")
    if kind == 4:
        return ({"all": [{"fact": "actor.role", "op": "ne", "value": "coordinator"},
                         {"fact": "totals.net_amount", "op": "gt", "value": 100000 + k}]},
                lambda d: d["actor"]["role"] != "coordinator"
                and d["totals"]["net_amount"] > 100000 + k,
                f"actor.role != 'coordinator' and totals.net_amount > {100000 + k}")
    word = f"word{i}"
    return ({"any": [{"fact": "form.work_description", "op": "contains", "value": word},
                     {"not": {"fact": "submission.kind", "op": "in",
                              "value": ["final", "draft"]}}]},
            lambda d: word in d["form"]["work_description"]
            or d["submission"]["kind"] not in ("final", "draft"),
            f"contains(form.work_description, '{word}')"
            " or not (submission.kind in ['final','draft'])")


def ruleset(n: int) -> list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool], str]]:
    return [_rule(i, fire=i < 3) for i in range(n)]


def measure(fn: Callable[[], Any], seconds: float = 1.5) -> tuple[float, float]:
    """(evaluations per second, p50 in ms)."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return len(times) / sum(times), statistics.median(times) * 1000


def lean(compiled: Any) -> Callable[[], Any]:
    """The durable-rules fact API on the same rulesets and facts, no platform code.

    Like the platform, it serialises each distinct fact once per evaluation and
    asserts it, under one session id, to every ruleset that reads it.
    """
    chunks = compiled.durable.chunks
    handles = [dre.create_ruleset(f"lean{id(compiled)}#{i}", json.dumps(c.definition))
               for i, c in enumerate(chunks)]
    facts: list[dict[str, Any]] = []
    fact_of: list[int] = []
    for chunk in chunks:
        if not fact_of or chunk.project != chunks[len(fact_of) - 1].project:
            facts.append(chunk.project(SNAPSHOT))
        fact_of.append(len(facts) - 1)
    ids = itertools.count()

    def run() -> None:
        sid = str(next(ids))
        payloads = [json.dumps({**fact, "sid": sid, "id": "f", "t": "snap"}) for fact in facts]
        for handle, k in zip(handles, fact_of, strict=True):
            _, state = dre.assert_fact(handle, payloads[k])
            result = dre.start_action_for_state(handle, state)
            while result:
                result = dre.complete_and_start_action(handle, state)
            dre.delete_state(handle, sid)
    return run


def zen_runner(rules: list[tuple[Any, Any, str]]) -> Callable[[], Any] | str:
    try:
        zen = importlib.import_module("zen")  # optional peer
    except ImportError:
        return "zen-engine: not installed"
    table = {"nodes": [
        {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
        {"id": "t", "type": "decisionTableNode", "name": "t", "position": {"x": 0, "y": 0},
         "content": {"hitPolicy": "collect", "inputs": [{"id": "c", "name": "c", "field": ""}],
                     "outputs": [{"id": "o", "name": "rule", "field": "rule"}],
                     "rules": [{"_id": f"r{i}", "c": expr, "o": f'"r{i}"'}
                               for i, (_, _, expr) in enumerate(rules)]}},
        {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}}],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                  {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"}]}
    decision = zen.ZenEngine().create_decision(json.dumps(table))
    context = json.loads(json.dumps(SNAPSHOT, default=str))
    for key, value in context["totals"].items():
        context["totals"][key] = float(value)
    fired = decision.evaluate(context)["result"]
    if len(fired) != 3:
        return f"zen-engine: table fired {len(fired)} rules, not 3 (not comparable)"
    return lambda: decision.evaluate(context)


def interleaved_ratio(ours: Callable[[], Any], base: Callable[[], Any],
                      rounds: int = 7) -> float:
    """Median of (ours / base) over alternating short runs: robust to other load."""
    ratios = [measure(ours, 0.25)[0] / measure(base, 0.25)[0] for _ in range(rounds)]
    return statistics.median(ratios)


def bench(n: int) -> None:
    rules = ruleset(n)
    specs = [RuleSpec(f"r{i}", parse_condition(c)) for i, (c, _, _) in enumerate(rules)]
    durable = compile_rules(f"bench/{n}", specs, "durable")
    python = compile_rules(f"bench/{n}", specs, "python")
    assert evaluate(durable, SNAPSHOT).fired == ("r0", "r1", "r2")
    preds = [p for _, p, _ in rules]
    lean_run = lean(durable)
    rows: dict[str, tuple[float, float] | str] = {
        "lean durable-rules API": measure(lean_run),
        "durable-rules path (ours)": measure(lambda: evaluate(durable, SNAPSHOT)),
        "durable path + fired traces": measure(lambda: evaluate(durable, SNAPSHOT, eager=True)),
        "pure-Python evaluator": measure(lambda: python.python.fired(SNAPSHOT)),
        "pure-Python path + fired traces": measure(lambda: dict(evaluate(python,
                                                                     SNAPSHOT).traces)),
        "hand-written predicates": measure(lambda: [p(SNAPSHOT) for p in preds]),
    }
    zen_run = zen_runner(rules)
    rows["zen-engine decision table"] = zen_run if isinstance(zen_run, str) else measure(zen_run)
    base = rows["lean durable-rules API"]
    assert not isinstance(base, str)
    print(f"\n{n} rules ({len(durable.durable.chunks)} durable rulesets), 3 firing")
    for label, row in rows.items():
        if isinstance(row, str):
            print(f"  {label:32} {row}")
            continue
        rate, p50 = row
        print(f"  {label:32} {rate:10,.0f} eval/s  p50 {p50:7.3f} ms  "
              f"x{rate / base[0]:.2f} of lean")
    ratio = interleaved_ratio(lambda: evaluate(durable, SNAPSHOT), lean_run)
    traced = interleaved_ratio(lambda: evaluate(durable, SNAPSHOT, eager=True), lean_run)
    print(f"  interleaved, median of 7: durable path x{ratio:.2f} of lean, with fired traces "
          f"x{traced:.2f} (within 1.5x means >= x0.67)")


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1])


def main() -> None:
    for n in (10, 50, 1000):
        bench(n)
    specs = [RuleSpec(f"c{i}", parse_condition(c)) for i, (c, _, _) in enumerate(ruleset(1000))]
    start = time.perf_counter()
    compiled = compile_rules("bench/compile", specs)
    evaluate(compiled, SNAPSHOT)
    print(f"\n1,000-rule compile + first evaluation: {(time.perf_counter() - start) * 1000:.0f} ms")
    fifty = compile_rules("bench/50", [RuleSpec(f"r{i}", parse_condition(c))
                                       for i, (c, _, _) in enumerate(ruleset(50))])
    for _ in range(5000):
        evaluate(fifty, SNAPSHOT)
    before = rss_kb()
    for _ in range(100_000):
        evaluate(fifty, SNAPSHOT)
    after = rss_kb()
    print(f"RSS after 100,000 evaluations (50 rules): {before} -> {after} kB "
          f"({(after - before) / before * 100:+.1f} %)")


if __name__ == "__main__":
    main()
