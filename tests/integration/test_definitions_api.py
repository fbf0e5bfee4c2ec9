"""Definition versions over the API: validate, draft, list, read, publish, diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.state import snapshot
from tests.support.world import World
from workorders.definitions import load_bundle

ROOT = Path(__file__).resolve().parents[2]
NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
YAML = {"Content-Type": "application/yaml"}


def _post(world: World, path: str, body: str | bytes, role: str = "admin",
          headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return world.api(role).post(path, data=body, headers=headers or YAML)


def test_validate_answers_valid_for_an_example_bundle(world: World) -> None:
    resp = _post(world, "/api/v1/definitions/validate", NORDVARME)
    assert resp.status_code == 200
    assert resp.json["valid"] is True and resp.json["errors"] == []


def test_validate_accepts_json_too(world: World) -> None:
    # PyYAML's YAML 1.1 would read the key `on:` as true: take the platform's own reading
    as_json = json.dumps(load_bundle(NORDVARME).normalized)
    resp = _post(world, "/api/v1/definitions/validate", as_json,
                 headers={"Content-Type": "application/json"})
    assert resp.json["valid"] is True


def test_validate_reports_every_error_with_line_and_path(world: World) -> None:
    broken = NORDVARME.replace("currency: SEK", "currency: SEKK\ncolour: blue", 1)
    resp = _post(world, "/api/v1/definitions/validate", broken)
    assert resp.status_code == 200 and resp.json["valid"] is False
    errors = resp.json["errors"]
    assert len(errors) >= 2
    assert all({"path", "line", "column", "message"} <= set(e) for e in errors)
    currency_line = NORDVARME.splitlines().index(
        next(ln for ln in NORDVARME.splitlines() if ln.startswith("currency:"))) + 1
    assert any(e["path"] == "/currency" and e["line"] == currency_line for e in errors)
    assert any(e["path"] == "/colour" and e["line"] == currency_line + 1 for e in errors)


@pytest.mark.parametrize(("body", "expect"), [
    (b"\xff\xfe not utf-8", "UTF-8"),
    (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "alias"),
    (b"format: [unclosed\n", "line"),
    (b"- just\n- a list\n", "mapping"),
    (("[" * 5000 + "]" * 5000).encode(), ""),
])
def test_hostile_or_unreadable_sources_are_refused_clearly(
        world: World, body: bytes, expect: str) -> None:
    before = snapshot(world.app)
    resp = _post(world, "/api/v1/definitions/validate", body)
    assert resp.status_code == 200 and resp.json["valid"] is False
    assert expect.lower() in json.dumps(resp.json["errors"]).lower()
    resp = _post(world, "/api/v1/definitions", body)
    assert_problem(resp, 422)
    assert snapshot(world.app) == before


def test_an_oversized_bundle_is_refused_with_its_size(world: World) -> None:
    big = NORDVARME + "\n#" + "x" * (2 * 1024 * 1024)
    resp = _post(world, "/api/v1/definitions/validate", big)
    assert resp.status_code == 200 and resp.json["valid"] is False
    assert "MiB" in resp.json["errors"][0]["message"]
    huge = "#" + "x" * (5 * 1024 * 1024)
    assert_problem(_post(world, "/api/v1/definitions/validate", huge), 413)


def test_wrong_content_type_is_415(world: World) -> None:
    resp = _post(world, "/api/v1/definitions", NORDVARME, headers={"Content-Type": "text/plain"})
    assert_problem(resp, 415)


def test_draft_publish_and_read_back_exactly(world: World) -> None:
    resp = _post(world, "/api/v1/definitions", NORDVARME)
    assert resp.status_code == 201
    assert resp.json["version"] == 1 and resp.json["status"] == "draft"
    assert resp.json["author"] == "admin@alpha.test"
    got = world.api("viewer").get("/api/v1/definitions/1?format=yaml")
    assert got.mimetype == "application/yaml"
    assert got.get_data(as_text=True) == NORDVARME  # comments and layout kept
    doc = world.api("viewer").get("/api/v1/definitions/1").json
    assert doc["bundle"] == load_bundle(NORDVARME).normalized
    published = world.api("admin").post("/api/v1/definitions/1/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["published_by"] == "admin@alpha.test"


def test_publishing_again_is_a_conflict_and_publishing_v2_retires_v1(world: World) -> None:
    _post(world, "/api/v1/definitions", NORDVARME)
    world.api().post("/api/v1/definitions/1/publish")
    before = snapshot(world.app)
    assert_problem(world.api().post("/api/v1/definitions/1/publish"), 409)
    assert snapshot(world.app) == before
    # a change the golden tests do not mind (publishing runs them)
    changed = NORDVARME.replace("name: Nordvärme", "name: Nordvärme Norr", 1)
    assert _post(world, "/api/v1/definitions", changed).json["version"] == 2
    world.api().post("/api/v1/definitions/2/publish")
    items = world.api().get("/api/v1/definitions").json["items"]
    assert [(v["version"], v["status"]) for v in items] == [(1, "retired"), (2, "published")]
    assert world.api().get("/api/v1/definitions/1?format=yaml").get_data(as_text=True) == NORDVARME


def test_an_invalid_bundle_is_422_with_errors_and_stores_nothing(world: World) -> None:
    before = snapshot(world.app)
    resp = _post(world, "/api/v1/definitions", NORDVARME.replace("initial: booked", "initial: x"))
    problem = assert_problem(resp, 422)
    assert any(e["path"].endswith("/lifecycle/initial") and e["line"] for e in problem["errors"])
    assert snapshot(world.app) == before


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_only_admins_write_definitions(world: World, role: str) -> None:
    _post(world, "/api/v1/definitions", NORDVARME)
    before = snapshot(world.app)
    assert_problem(_post(world, "/api/v1/definitions", NORDVARME, role=role), 403)
    assert_problem(world.api(role).post("/api/v1/definitions/1/publish"), 403)
    assert snapshot(world.app) == before
    assert world.api(role).get("/api/v1/definitions").status_code == 200


def test_diff_lists_changed_ids_and_fields(world: World) -> None:
    _post(world, "/api/v1/definitions", NORDVARME)
    changed = NORDVARME.replace("value: 16}", "value: 20}", 1)
    _post(world, "/api/v1/definitions", changed)
    diff = world.api("viewer").get("/api/v1/definitions/1/diff/2").json
    assert diff["from"] == 1 and diff["to"] == 2
    rules = diff["sections"]["rules"]
    assert rules["added"] == [] and rules["removed"] == []
    [change] = rules["changed"]
    assert [(f["before"], f["after"]) for f in change["fields"]] == [(16, 20)]
    assert all(not (s["added"] or s["removed"] or s["changed"])
               for name, s in diff["sections"].items() if name != "rules")


def test_unknown_versions_are_404(world: World) -> None:
    assert_problem(world.api().get("/api/v1/definitions/7"), 404)
    assert_problem(world.api().post("/api/v1/definitions/7/publish"), 404)
    assert_problem(world.api().get("/api/v1/definitions/1/diff/7"), 404)


def test_validate_runs_the_golden_tests(world: World) -> None:
    resp = _post(world, "/api/v1/definitions/validate", NORDVARME)
    assert resp.json["tests_passed"] is True
    assert len(resp.json["tests"]) >= 3 and all(t["passed"] for t in resp.json["tests"])


def test_a_failing_golden_test_refuses_publishing_and_names_the_failure(world: World) -> None:
    # the first golden test expects the overtime rule to fire; raise its threshold so it cannot
    broken = NORDVARME.replace("value: 16}", "value: 1000}", 1)
    report = _post(world, "/api/v1/definitions/validate", broken).json
    assert report["valid"] is True and report["tests_passed"] is False
    failing = [t for t in report["tests"] if not t["passed"]]
    assert any("overtime_needs_approval" in f for t in failing for f in t["failures"])
    assert _post(world, "/api/v1/definitions", broken).status_code == 201  # drafts may fail
    before = snapshot(world.app)
    problem = assert_problem(world.api().post("/api/v1/definitions/1/publish"), 409)
    assert "golden test" in problem["detail"]
    assert problem["tests"][0]["failures"]
    assert snapshot(world.app) == before
