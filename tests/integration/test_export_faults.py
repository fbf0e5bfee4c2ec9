"""Faults on the way to the ERP, with a real local receiver and real rq workers:
nothing lost, nothing doubled (the receiver counts by Idempotency-Key)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.support.exports import (
    Receiver,
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.processes import ROOT, command_env, run_workorders
from tests.support.world import World, make_tenant

GENERIC = ("generic",)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _detail(world: World) -> dict[str, Any]:
    [item] = exports_of(world)
    return dict(world.api("coordinator").get(f"/api/v1/exports/{item['id']}").json)


def _exactly_once(receiver: Receiver, detail: dict[str, Any]) -> None:
    assert detail["status"] == "delivered"
    assert list(receiver.stored) == [detail["idempotency_key"]]
    assert set(receiver.keys()) == {detail["idempotency_key"]}


def test_500_twice_then_200_is_delivered_once(world: World) -> None:
    with running_receiver([500, 500]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=GENERIC))
        invoice(world, ready_case(world)["id"])
        drain(world.app)
    detail = _detail(world)
    assert [(a["ok"], a["status_code"]) for a in detail["attempts"]] == [
        (False, 500), (False, 500), (True, 200)]
    assert "answered 500" in detail["attempts"][0]["error"]
    _exactly_once(receiver, detail)


def test_a_hanging_receiver_times_out_and_is_retried(world: World) -> None:
    with running_receiver(["hang"]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=GENERIC, timeout_s=0.5))
        invoice(world, ready_case(world)["id"])
        drain(world.app)
    detail = _detail(world)
    assert [a["ok"] for a in detail["attempts"]] == [False, True]
    assert "timed out" in detail["attempts"][0]["error"]
    _exactly_once(receiver, detail)


def test_dead_after_max_attempts_then_a_retry_delivers_once(world: World) -> None:
    with running_receiver([500, 503]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=GENERIC, max_attempts=2))
        invoice(world, ready_case(world)["id"])
        drain(world.app)
        assert _detail(world)["status"] == "dead"
        export_id = _detail(world)["id"]
        assert world.api("coordinator").post(f"/api/v1/exports/{export_id}/retry").status_code \
            == 202
        drain(world.app)
        again = world.api("coordinator").post(f"/api/v1/exports/{export_id}/retry")
    assert again.status_code == 409  # delivered: nothing to retry
    detail = _detail(world)
    assert [a["status_code"] for a in detail["attempts"]] == [500, 503, 200]
    _exactly_once(receiver, detail)


# ---- with Redis and real ``workorders worker`` processes -------------------------------

def _rq_world(app_config: dict[str, Any], redis_url: str) -> World:
    from workorders.platform import create_app

    app = create_app({**app_config, "redis_url": redis_url, "jobs_sync": False})
    return World(app=app, a=make_tenant(app, "alpha", "Alpha Heat AB"),
                 b=make_tenant(app, "bravo", "Bravo Electric Oy"))


def _worker_env(app: Flask, database_url: str, redis_url: str) -> dict[str, str]:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    return command_env(database_url, instance, REDIS_URL=redis_url,
                       WORKORDERS_JOB_BACKOFF_SECONDS="0", WORKORDERS_OUTBOUND_ALLOW="127.0.0.1")


def _expire_leases(app: Flask) -> None:
    """What time does to a dead worker's claim: its lease runs out."""
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob
    from workorders.platform.models.types import utcnow

    with app.app_context():
        db.session.execute(update(OutboxJob).where(OutboxJob.status == "running")
                           .values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def _job_attempts(app: Flask) -> list[int]:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with app.app_context():
        rows = db.session.execute(select(OutboxJob.attempts).where(
            OutboxJob.kind == "export.deliver")).scalars()
        return list(rows)


def test_a_worker_killed_mid_delivery_delivers_exactly_once_after_restart(
        app_config: dict[str, Any], database_url: str, redis_url: str) -> None:
    world = _rq_world(app_config, redis_url)
    env = _worker_env(world.app, database_url, redis_url)
    with running_receiver(["block"]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=GENERIC, timeout_s=20))
        invoice(world, ready_case(world)["id"])
        worker = subprocess.Popen([sys.executable, "-m", "workorders", "worker"], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            assert receiver.first_arrived.wait(30), "the worker never delivered"
            assert _detail(world)["status"] == "delivering"
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        receiver.release.set()  # the body is stored; its answer went nowhere
        _expire_leases(world.app)
        result = run_workorders(["worker", "--burst"], env)
        assert result.returncode == 0, result.stderr
    detail = _detail(world)
    assert len(receiver.posts) == 2 and [a["ok"] for a in detail["attempts"]] == [True]
    assert _job_attempts(world.app) == [2]
    _exactly_once(receiver, detail)


def test_exports_wait_in_the_outbox_while_redis_is_down(
        app_config: dict[str, Any], database_url: str, redis_url: str) -> None:
    down = _rq_world(app_config, "redis://127.0.0.1:1/0")
    with running_receiver() as receiver:
        publish_variant(down, connectors_yaml(receiver.url, only=GENERIC))
        cases = [ready_case(down)["id"] for _ in range(2)]
        for case_id in cases:
            invoice(down, case_id)  # the invoicing itself succeeds
        time.sleep(0.2)
        assert {e["status"] for e in exports_of(down)} == {"pending"}
        assert receiver.posts == []
        result = run_workorders(["worker", "--burst"], _worker_env(down.app, database_url,
                                                                  redis_url))
        assert result.returncode == 0, result.stderr
    items = exports_of(down)
    assert len(items) == 2 and {e["status"] for e in items} == {"delivered"}
    assert len(receiver.stored) == 2 == len(receiver.posts)


def test_in_process_the_first_attempt_runs_right_after_the_commit(world: World) -> None:
    """In-process (no Redis) the first attempt runs right after the commit."""
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=GENERIC))
        invoice(world, ready_case(world)["id"])
    assert len(receiver.stored) == 1 and _detail(world)["status"] == "delivered"
    drain(world.app)  # nothing left to do
    assert len(receiver.posts) == 1
