"""Validating or publishing a bundle leaves no durable-rules ruleset behind.

durable-rules rulesets live in the C heap (~8 MB for 500 rules) and each used
to stay for the process's life: every validated bundle grew the server for
good. Golden tests of a bundle that is not live yet run on the Python
evaluator (same semantics, held equal by the differential tests), so
checking a bundle creates no ruleset at all.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.support.world import World
from workorders.rules.engine import live_ruleset_names

ROOT = Path(__file__).resolve().parents[2]
NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
YAML = {"Content-Type": "application/yaml"}
_variants = itertools.count()


def _distinct_bundle() -> str:
    """The example with a rule no earlier bundle of this process had (new ruleset names)."""
    n = f"{os.getpid()}{next(_variants)}"
    extra = (f"  - id: variant_{n}\n    case_types: [installation]\n"
             f"    when: {{fact: totals.hours, op: gt, value: {n}}}\n"
             f"    then:\n      - raise_exception: {{code: V_{n}, severity: low, "
             f"assign: coordinator}}\n\n")
    return NORDVARME.replace("\nrules:\n", "\nrules:\n" + extra, 1)


def test_validating_a_bundle_creates_no_durable_rules_ruleset(world: World) -> None:
    before = live_ruleset_names()
    resp = world.api("admin").post("/api/v1/definitions/validate", data=_distinct_bundle(),
                                   headers=YAML)
    assert resp.status_code == 200 and resp.json["valid"] is True
    assert resp.json["tests_passed"] is True and len(resp.json["tests"]) >= 3
    assert live_ruleset_names() == before


def test_publishing_runs_the_golden_tests_without_creating_rulesets(world: World) -> None:
    before = live_ruleset_names()
    assert world.api().post("/api/v1/definitions", data=_distinct_bundle(),
                            headers=YAML).status_code == 201
    published = world.api().post("/api/v1/definitions/1/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    assert live_ruleset_names() == before


def test_parsed_versions_are_bounded_and_an_evicted_one_is_parsed_again(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.services import definitions as svc

    monkeypatch.setattr(svc, "PARSED_BUNDLES", 2)
    with world.app.app_context():
        versions = [svc.create_draft(world.a.tenant_id, _distinct_bundle(), "admin@alpha.test")
                    for _ in range(3)]
        bundles = [svc.bundle_of(v) for v in versions]
        assert len(svc._BUNDLES) == 2
        again = svc.bundle_of(versions[0])
        assert again is not bundles[0] and again == bundles[0]
        assert svc.bundle_of(versions[2]) is bundles[2]
