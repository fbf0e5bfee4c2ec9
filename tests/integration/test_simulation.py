"""Simulate before publish: the right cases change, and nothing is written."""

from __future__ import annotations

from tests.integration.test_api_errors import assert_problem
from tests.support.capture import jpeg_bytes, report, started_case, upload
from tests.support.cases import ROOT, publish_example
from tests.support.state import snapshot
from tests.support.world import World

NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")


def _case_with_hours(world: World, hours: str) -> int:
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions", json={
        "form": "installation_report", "data": report(photo, hours=hours)})
    assert resp.status_code == 201
    return int(case["id"])


def test_simulation_reports_exactly_the_cases_whose_outcomes_change(world: World) -> None:
    publish_example(world)
    ten, twenty, four = (_case_with_hours(world, h) for h in ("10", "20", "4"))
    lowered = NORDVARME.replace("value: 16}", "value: 8}", 1)  # overtime from 8 h
    draft = world.api("admin").post("/api/v1/definitions", data=lowered,
                                    headers={"Content-Type": "application/yaml"})
    assert draft.status_code == 201
    before = snapshot(world.app)
    resp = world.api("admin").post(f"/api/v1/definitions/{draft.json['version']}/simulate",
                                   json={"limit": 50})
    assert resp.status_code == 200, resp.json
    result = resp.json
    assert result["cases_checked"] == 3
    [change] = result["changed"]
    assert change["case_id"] == ten
    assert "overtime_needs_approval" not in change["before"]["fired"]
    assert "overtime_needs_approval" in change["after"]["fired"]
    assert any("approval" in b for b in change["after"]["blockers"])
    assert snapshot(world.app) == before  # nothing written
    assert {twenty, four}.isdisjoint({c["case_id"] for c in result["changed"]})


def test_simulation_of_an_identical_version_changes_nothing(world: World) -> None:
    publish_example(world)
    _case_with_hours(world, "10")
    world.api("admin").post("/api/v1/definitions", data=NORDVARME,
                            headers={"Content-Type": "application/yaml"})
    result = world.api("admin").post("/api/v1/definitions/2/simulate").json
    assert result == {"version": 2, "cases_checked": 1, "changed": []}


def test_simulation_needs_a_known_version_and_the_admin_role(world: World) -> None:
    publish_example(world)
    assert_problem(world.api("admin").post("/api/v1/definitions/9/simulate"), 404)
    assert_problem(world.api("technician").post("/api/v1/definitions/1/simulate"), 403)


def test_a_large_simulation_runs_as_a_task_with_progress(world: World) -> None:
    publish_example(world)
    ten = _case_with_hours(world, "10")
    _case_with_hours(world, "4")
    lowered = NORDVARME.replace("value: 16}", "value: 8}", 1)
    version = world.api("admin").post("/api/v1/definitions", data=lowered, headers={
        "Content-Type": "application/yaml"}).json["version"]
    before = snapshot(world.app)
    resp = world.api("admin").post(f"/api/v1/definitions/{version}/simulate",
                                   json={"limit": 500})
    assert resp.status_code == 202
    task = world.api("coordinator").get(f"/api/v1/tasks/{resp.json['task']['id']}").json
    # in-process jobs ran right after the commit (JOBS_SYNC in tests)
    assert (task["status"], task["done"], task["total"]) == ("done", 2, 2)
    assert [c["case_id"] for c in task["result"]["changed"]] == [ten]
    after = snapshot(world.app)
    assert {k: v for k, v in after.items() if k not in ("tasks", "outbox_jobs")} == {
        k: v for k, v in before.items() if k not in ("tasks", "outbox_jobs")}
    assert_problem(world.api("coordinator", "b").get(f"/api/v1/tasks/{task['id']}"), 404)
