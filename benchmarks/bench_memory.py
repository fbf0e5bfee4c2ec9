"""Memory benchmark: `python benchmarks/bench_memory.py [bundles] [rules]`.

Validates distinct bundles through the service ``POST /definitions/validate``
uses (``check_bundle`` then ``golden_results``: parse, schema, checks, golden
tests) and prints the process's RSS at the start, after the warm-up (100
bundles) and at the end. Each bundle is the VoltFix example with its rules
section grown to ``rules`` rules whose constants differ per bundle, so no two
bundles share a compiled rule list. Defaults: 1,000 bundles of 100 rules
(about 3 minutes of CPU; 6.7 minutes on the shared 2-core machine, where
500-rule bundles would take far longer and show the same shape).

Flat means: RSS after all bundles is less than 10 % above RSS after the
warm-up (caches bounded by count fill during the warm-up).

A second part compiles and evaluates distinct rule lists on durable-rules,
as published versions are, with the registry bound at 16: their rulesets are
deleted when evicted, so RSS stays flat there too.
"""

from __future__ import annotations

import copy
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from workorders.definitions import load_bundle
from workorders.platform.services.definitions import check_bundle, golden_results
from workorders.rules import compile_rules, evaluate, registry, rule_specs

EXAMPLE = Path(__file__).resolve().parents[1] / "definitions" / "voltfix-electric.yaml"
WARM_UP = 100
FLAT = 0.10


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def _base() -> dict[str, Any]:
    result = load_bundle(EXAMPLE.read_text(encoding="utf-8"), filename=EXAMPLE.name)
    assert result.normalized is not None
    return copy.deepcopy(result.normalized)


def _rule(n: int, i: int) -> dict[str, Any]:
    """A rule mixing a comparison, a membership and a quantifier; constants per bundle."""
    return {"id": f"gen_{i}", "case_types": ["callout"],
            "when": {"all": [
                {"fact": "totals.net_amount", "op": "gt", "value": n * 1000 + i},
                {"any": [{"fact": "form.fault_type", "op": "in",
                          "value": ["tripping_breaker", "lighting"]},
                         {"any_item": "form.materials",
                          "where": {"fact": "quantity", "op": "gt", "value": n + i}}]}]},
            "then": [{"raise_exception": {"code": f"GEN_{i}", "severity": "low",
                                          "assign": "coordinator"}}]}


def bundle_text(base: dict[str, Any], n: int, rules: int) -> str:
    data = copy.deepcopy(base)
    data["rules"] += [_rule(n, i) for i in range(rules - len(data["rules"]))]
    return json.dumps(data)


def validate_many(count: int, rules: int) -> None:
    base = _base()
    start = rss_mb()
    warm = start
    began = time.perf_counter()
    for n in range(count):
        result = check_bundle(bundle_text(base, n, rules), "bundle.json")
        tests = golden_results(result)
        assert result.valid and tests and all(t["passed"] for t in tests), n
        if n + 1 == WARM_UP:
            gc.collect()
            warm = rss_mb()
    gc.collect()
    end = rss_mb()
    seconds = time.perf_counter() - began
    growth = (end - warm) / warm
    print(f"validated {count:,} distinct bundles of {rules} rules in {seconds:.0f} s "
          f"({seconds / count * 1000:.0f} ms each)")
    print(f"RSS: start {start:.0f} MB, after {WARM_UP} {warm:.0f} MB, after {count:,} "
          f"{end:.0f} MB")
    print(f"growth after warm-up: {end - warm:+.1f} MB ({growth:+.1%}; flat means < "
          f"{FLAT:.0%}): {'flat' if growth < FLAT else 'NOT FLAT'}")
    print(f"per bundle after warm-up: {(end - warm) * 1024 / (count - WARM_UP):+.1f} KB "
          f"(before the bounds: ~12 MB per 500-rule bundle, for good)")


def evaluate_many(count: int, rules: int, bound: int) -> None:
    """Distinct rule lists on durable-rules, as published versions are evaluated."""
    base = _base()
    before = registry.limit()
    registry.set_limit(bound)
    document = {"case": {"status": "on_site"}, "totals": {"net_amount": 100}, "form": {}}
    warm = 0.0
    try:
        for n in range(count):
            bundle = load_bundle(bundle_text(base, n, rules), filename="b.json").bundle
            assert bundle is not None
            compiled = compile_rules(f"bench/{n}", rule_specs(bundle, "callout", "submit"))
            evaluate(compiled, document)
            if n + 1 == bound * 2:
                gc.collect()
                warm = rss_mb()
    finally:
        registry.set_limit(before)
    gc.collect()
    end = rss_mb()
    print(f"durable-rules: {count} distinct {rules}-rule lists evaluated, bound {bound}: "
          f"RSS after {bound * 2} {warm:.0f} MB, after {count} {end:.0f} MB "
          f"({(end - warm) / warm:+.1%})")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rules = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    validate_many(count, rules)
    evaluate_many(80, rules, 16)


if __name__ == "__main__":
    main()
