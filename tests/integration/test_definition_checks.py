"""A tenant's own bundle runs on the server when it is validated, published or
simulated (its templates, its golden tests). Only admins may make it run, and it
runs under a time budget: a hostile bundle gets a clear 422, never a 500 and
never a server that stops answering."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_cli import env  # noqa: F401  (fixture)
from tests.support.cases import ROOT, publish_example
from tests.support.hostile_bundles import NORDVARME, slow_bundle, with_leak_message
from tests.support.processes import run_workorders
from tests.support.state import snapshot
from tests.support.world import World

YAML = {"Content-Type": "application/yaml"}
BUDGET_SECONDS = 2.0  # room for a busy machine: storing runs the static checks under it too


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "check_budget_seconds": BUDGET_SECONDS}


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_only_admins_may_validate_store_publish_or_simulate(world: World, role: str) -> None:
    publish_example(world)
    world.api("admin").post("/api/v1/definitions", data=NORDVARME, headers=YAML)
    before = snapshot(world.app)
    api = world.api(role)
    for resp in (api.post("/api/v1/definitions/validate", data=NORDVARME, headers=YAML),
                 api.post("/api/v1/definitions", data=NORDVARME, headers=YAML),
                 api.post("/api/v1/definitions/2/publish"),
                 api.post("/api/v1/definitions/2/simulate", json={"limit": 5})):
        assert "admin" in assert_problem(resp, 403)["detail"]
    assert snapshot(world.app) == before
    assert world.api("admin").post("/api/v1/definitions/validate", data=NORDVARME,
                                   headers=YAML).json["valid"] is True
    assert world.api("admin").post("/api/v1/definitions/2/simulate").status_code == 200


@pytest.mark.parametrize(("template", "message"), [
    ("{{ 10 ** 5000 }}", "power above 64"),
    ("{{ 'x' * 100000000 }}", "longer than 100000"),
    ("{{ case.number|center(1e8) }}", "longer than 100000"),
    ("{{ '{0.__class__}'.format(case.number) }}", "'__class__'"),
    ("{{ case.number|attr('upper') }}", "|attr"),
    ("{% for a in [0] * 5000 %}{% for b in [0] * 5000 %}x{% endfor %}{% endfor %}",
     "repeats more than 10000 times"),
])
def test_a_hostile_template_is_a_clear_error_with_its_line(world: World, template: str,
                                                          message: str) -> None:
    bundle = with_leak_message(template)
    line = next(n for n, text in enumerate(bundle.splitlines(), 1) if template in text)
    before = snapshot(world.app)
    started = time.monotonic()
    resp = world.api("admin").post("/api/v1/definitions/validate", data=bundle, headers=YAML)
    assert resp.status_code == 200 and resp.json["valid"] is False
    assert time.monotonic() - started < 2
    [error] = [e for e in resp.json["errors"] if message in e["message"]]
    assert error["line"] == line and "template line 1" in error["message"]
    problem = assert_problem(
        world.api("admin").post("/api/v1/definitions", data=bundle, headers=YAML), 422)
    assert any(message in e["message"] for e in problem["errors"])
    assert snapshot(world.app) == before


def test_slow_golden_tests_stop_at_the_budget_with_a_422(world: World) -> None:
    bundle = slow_bundle()
    started = time.monotonic()
    resp = world.api("admin").post("/api/v1/definitions/validate", data=bundle, headers=YAML)
    took = time.monotonic() - started
    problem = assert_problem(resp, 422)
    assert f"took longer than {BUDGET_SECONDS:g} s" in problem["detail"]
    assert took < 2 * BUDGET_SECONDS + 1.0  # the budget, and room for a busy machine


def test_publishing_a_draft_with_slow_golden_tests_is_422_and_changes_nothing(
        world: World) -> None:
    draft = world.api("admin").post("/api/v1/definitions", data=slow_bundle(), headers=YAML)
    assert draft.status_code == 201  # storing runs no golden tests
    before = snapshot(world.app)
    problem = assert_problem(
        world.api("admin").post(f"/api/v1/definitions/{draft.json['version']}/publish"), 422)
    assert "took longer than" in problem["detail"]
    assert snapshot(world.app) == before


def _health_while(app: Flask, busy: list[threading.Thread]) -> list[float]:
    client = app.test_client()
    waits = []
    while any(t.is_alive() for t in busy):
        started = time.monotonic()
        assert client.get("/healthz").status_code == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    return waits


def test_hostile_validations_in_parallel_leave_the_server_answering(world: World) -> None:
    bundle = slow_bundle()
    answers: list[tuple[int, float]] = []

    def validate() -> None:
        started = time.monotonic()
        resp = world.api("admin").post("/api/v1/definitions/validate", data=bundle,
                                       headers=YAML)
        answers.append((resp.status_code, time.monotonic() - started))

    busy = [threading.Thread(target=validate) for _ in range(4)]
    for thread in busy:
        thread.start()
    waits = _health_while(world.app, busy)
    for thread in busy:
        thread.join()
    assert [status for status, _ in answers] == [422] * 4
    assert max(took for _, took in answers) < 2 * BUDGET_SECONDS + 1.5  # four share two cores
    assert waits and max(waits) < 1.0


def test_the_cli_simulates_only_as_an_admin(app: Flask, env: dict[str, str]) -> None:  # noqa: F811
    example = ROOT / "definitions" / "nordvarme-heatpumps.yaml"
    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    assert run_workorders(["definitions", "publish", "--tenant", "acme", str(example)],
                          env).returncode == 0
    run_workorders(["users", "create", "acme", "c@acme.test", "--role", "coordinator"], env)
    refused = run_workorders(["definitions", "simulate", "--tenant", "acme", "--as",
                              "c@acme.test", "1"], env)
    assert refused.returncode == 1
    assert "c@acme.test cannot simulate: this needs one of the roles: admin" in refused.stderr


def test_a_simulation_past_the_budget_is_422_and_writes_nothing(world: World) -> None:
    from tests.integration.test_simulation import _case_with_hours

    publish_example(world)
    for hours in ("10", "20", "4"):
        _case_with_hours(world, hours)
    world.api("admin").post("/api/v1/definitions", data=NORDVARME, headers=YAML)
    settings = world.app.extensions["workorders.settings"]
    world.app.extensions["workorders.settings"] = dataclasses.replace(
        settings, check_budget_seconds=0.001)  # less than one case takes
    before = snapshot(world.app)
    problem = assert_problem(world.api("admin").post("/api/v1/definitions/2/simulate"), 422)
    assert "took longer than 0.001 s" in problem["detail"]
    assert snapshot(world.app) == before
