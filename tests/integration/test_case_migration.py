"""Moving open cases to a new definition version (issue 14), on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_case_pages import login, text_of
from tests.support.cases import ROOT
from tests.support.migration import MAP, Cases, book, cases_in_every_state, move, publish, submit
from tests.support.processes import command_env, run_workorders
from tests.support.repairs import V1, V2
from tests.support.state import snapshot
from tests.support.world import World, make_tenant

COMMENT = "Waiting becomes On hold; Review is gone"


def _migrate(world: World, body: dict[str, Any], n: int = 2, role: str = "admin",
             tenant: str = "a") -> Any:
    return world.api(role, tenant).post(f"/api/v1/definitions/{n}/migrate", json=body)


def _by_case(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {c["case_id"]: c for c in report["cases"]}


def _case(world: World, case_id: int) -> dict[str, Any]:
    resp = world.api("coordinator").get(f"/api/v1/cases/{case_id}")
    assert resp.status_code == 200
    return dict(resp.json)


def _exceptions(world: World, case_id: int) -> dict[str, str]:
    from workorders.platform.extensions import db
    from workorders.platform.models import CaseException

    with world.app.app_context():
        rows = db.session.execute(select(CaseException.code, CaseException.status).where(
            CaseException.case_id == case_id)).all()
        return {code: status for code, status in rows}


def _reconciliation(world: World) -> list[tuple[Any, ...]]:
    from workorders.platform.services.reconciliation import reconcile

    with world.app.app_context():
        rows, _ = reconcile(world.a.tenant_id)
        return sorted((r.case_id, r.connector, r.captured_net, r.exported_net, r.credited_net,
                       r.difference) for r in rows)


def _audit_ok(world: World) -> int:
    from workorders.platform.services.audit_verify import verify_chains

    with world.app.app_context():
        checked, breaks = verify_chains(world.a.tenant_id)
    assert breaks == []
    return checked


def _prepared(world: World) -> Cases:
    cases = cases_in_every_state(world)
    assert publish(world, V2) == 2
    return cases


def test_the_dry_run_lists_exactly_the_expected_problems_and_writes_nothing(
        world: World) -> None:
    c = _prepared(world)
    before = snapshot(world.app)
    resp = _migrate(world, {**MAP, "dry_run": True})
    assert resp.status_code == 200, resp.json
    report = resp.json
    assert snapshot(world.app) == before  # not a row, not an audit event
    by_case = _by_case(report)
    assert sorted(by_case) == sorted(c.open_ids())  # final cases are not selected
    assert report["to_version"] == 2
    assert report["totals"] == {"cases": 8, "migratable": 4, "not_migratable": 4}
    problems = {i: r["problems"] for i, r in by_case.items()}
    assert problems[c.booked] == problems[c.waiting] == problems[c.no_notes] == []
    assert problems[c.exported] == []
    assert problems[c.booked_without_urgency] == ["case field 'Priority': This field is "
                                                  "required."]
    assert problems[c.review] == [
        "the state 'Review' (review) does not exist in version 2; map it to one of: "
        "booked, in_progress, on_hold, done, invoiced, cancelled"]
    assert problems[c.long_notes] == [
        "the submitted 'Repair report' does not fit version 2: 'Notes': At most 40 "
        "characters."]
    [invoiced] = problems[c.exported_travel]
    assert invoiced.startswith("already invoiced (R1")
    assert "line 'Travel' 1 x 400.00 becomes 1 x 450.00" in invoiced
    assert (by_case[c.waiting]["from_state"], by_case[c.waiting]["to_state"]) == (
        "waiting", "on_hold")
    assert by_case[c.booked]["to_state"] == "booked"
    assert by_case[c.booked]["from_version"] == 1
    assert by_case[c.booked]["changes"]["fields"] == ["'urgency' becomes 'Priority'"]
    assert "the exception 'NO_NOTES' closes: its rule 'no_notes' is not in version 2" in \
        by_case[c.no_notes]["changes"]["rules"]
    assert "rule 'long_job' changed" in by_case[c.no_notes]["changes"]["rules"]
    assert "'Repair report': field 'Notes' changed" in by_case[c.no_notes]["changes"]["forms"]


def test_apply_moves_the_migratable_cases_and_reruns_the_rules(world: World) -> None:
    c = _prepared(world)
    recon_before = _reconciliation(world)
    assert _exceptions(world, c.no_notes) == {"NO_NOTES": "open"}
    resp = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    assert resp.status_code == 202, resp.json
    task = world.api("admin").get(f"/api/v1/tasks/{resp.json['task']['id']}").json
    assert (task["status"], task["done"], task["total"]) == ("done", 4, 4)
    result = task["result"]
    assert sorted(result["migrated"]) == sorted([c.booked, c.waiting, c.no_notes, c.exported])
    assert result["skipped"] == []
    assert result["totals"]["migrated"] == 4
    assert _by_case(result)[c.review]["outcome"] == "not migratable"
    waiting = _case(world, c.waiting)
    assert (waiting["definition_version"], waiting["status"]) == (2, "on_hold")
    booked = _case(world, c.booked)
    assert (booked["definition_version"], booked["fields"]) == (2, {"priority": "high"})
    for stays in (c.review, c.long_notes, c.booked_without_urgency, c.exported_travel,
                  c.invoiced, c.cancelled):
        assert _case(world, stays)["definition_version"] == 1
    # the rule that is gone closed its exception; the changed rule (> 4 h) opened one
    assert _exceptions(world, c.no_notes) == {"NO_NOTES": "resolved_by_rule",
                                              "LONG_JOB": "open"}
    events = world.api("admin").get(f"/api/v1/cases/{c.waiting}/events").json["items"]
    migrated = [e for e in events if e["action"] == "case.migrated"]
    assert len(migrated) == 1
    assert migrated[0]["before"] == {"definition_version": 1, "status": "waiting",
                                     "state": "Waiting", "fields": {"urgency": "high"}}
    assert migrated[0]["after"] == {"definition_version": 2, "status": "on_hold",
                                    "state": "On hold", "fields": {"priority": "high"}}
    assert (migrated[0]["actor"], migrated[0]["comment"]) == (world.a.emails["admin"], COMMENT)
    page = login(world, "coordinator").get(f"/cases/{c.waiting}")
    assert page.status_code == 200
    assert "Moved to definition version 2 (was 1): Waiting → On hold" in text_of(page)
    board = login(world, "coordinator").get("/board/repair")
    assert board.status_code == 200 and "On hold" in text_of(board)
    _audit_ok(world)
    assert _reconciliation(world) == recon_before  # what was exported is untouched
    # the board and lists show cases on both versions
    listed = world.api("coordinator").get("/api/v1/cases?limit=50").json["items"]
    assert {x["definition_version"] for x in listed} == {1, 2}
    # and the admin history says who moved how many cases, and why
    history = world.api("admin").get("/api/v1/admin/history?kind=definitions").json["items"]
    started = [h for h in history if h["action"] == "definition.migration_started"]
    assert [h["words"] for h in started] == [
        f"Started moving 4 open cases to version 2, {result['totals']['not_migratable']} "
        f"could not move (“{COMMENT}”)"]


def test_the_same_migration_twice_changes_nothing_the_second_time(world: World) -> None:
    _prepared(world)
    first = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    assert first.status_code == 202
    before = snapshot(world.app)
    again = _migrate(world, {**MAP, "dry_run": True}).json
    assert again["totals"] == {"cases": 4, "migratable": 0, "not_migratable": 4}
    second = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    task = world.api("admin").get(f"/api/v1/tasks/{second.json['task']['id']}").json
    assert task["result"]["migrated"] == [] and task["total"] == 0
    after = snapshot(world.app)
    assert {k: v for k, v in after.items() if k not in ("tasks", "outbox_jobs")} == {
        k: v for k, v in before.items() if k not in ("tasks", "outbox_jobs")}


def test_bad_requests_are_refused_clearly_and_write_nothing(world: World) -> None:
    _prepared(world)
    before = snapshot(world.app)
    unknown = assert_problem(_migrate(world, {"state_map": {"waiting": "parked"},
                                              "dry_run": True}), 422)
    assert unknown["errors"] == [{
        "path": "/state_map/waiting",
        "message": "'parked' is not a state in version 2; its states are: booked, cancelled, "
                   "done, in_progress, invoiced, on_hold"}]
    field = assert_problem(_migrate(world, {"field_map": {"urgency": "prio"},
                                            "dry_run": True}), 422)
    assert field["errors"][0]["path"] == "/field_map/urgency"
    assert "'prio' is not a case field in version 2" in field["errors"][0]["message"]
    no_comment = assert_problem(_migrate(world, {**MAP, "dry_run": False}), 422)
    assert no_comment["errors"][0]["path"] == "/comment"
    assert_problem(_migrate(world, {**MAP}), 422)  # dry_run is required
    assert_problem(_migrate(world, {"from_versions": [7], "dry_run": True}), 422)
    assert_problem(_migrate(world, {"case_types": ["boiler"], "dry_run": True}), 422)
    assert_problem(_migrate(world, {"dry_run": True}, n=9), 404)
    assert_problem(_migrate(world, {"dry_run": True}, n=1), 409)  # retired: not a target
    assert_problem(_migrate(world, {**MAP, "dry_run": False, "comment": COMMENT},
                            role="coordinator"), 403)
    assert snapshot(world.app) == before


def test_another_tenants_cases_are_never_selected(world: World) -> None:
    c = _prepared(world)
    publish(world, V1, tenant="b")
    publish(world, V2, tenant="b")
    resp = _migrate(world, {**MAP, "case_ids": [c.booked], "dry_run": True}, tenant="b")
    assert_problem(resp, 404)
    mine = _migrate(world, {**MAP, "case_ids": [c.booked, c.review], "dry_run": True}).json
    assert sorted(_by_case(mine)) == sorted([c.booked, c.review])


def test_a_case_changed_after_the_dry_run_is_skipped_and_reported(
        app_config: dict[str, Any]) -> None:
    from workorders.platform import create_app
    from workorders.platform.extensions import db
    from workorders.platform.jobs.runner import run_job
    from workorders.platform.models import OutboxJob

    # Redis is unreachable: the job waits in the outbox until this test runs it
    app = create_app({**app_config, "redis_url": "redis://127.0.0.1:1/0", "jobs_sync": False})
    world = World(app=app, a=make_tenant(app, "alpha", "Alpha AB"),
                  b=make_tenant(app, "bravo", "Bravo AB"))
    c = _prepared(world)
    resp = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    assert resp.status_code == 202
    move(world, c.booked, "start")  # changed after the plan
    with app.app_context():
        job_id = db.session.execute(select(OutboxJob.id).where(
            OutboxJob.kind == "definitions.migrate")).scalar_one()
    assert run_job(app, job_id) == "done"
    result = world.api("admin").get(f"/api/v1/tasks/{resp.json['task']['id']}").json["result"]
    [skipped] = result["skipped"]
    assert skipped["case_id"] == c.booked
    assert skipped["reason"].startswith("the case changed after the dry run")
    assert _case(world, c.booked)["definition_version"] == 1
    assert sorted(result["migrated"]) == sorted([c.waiting, c.no_notes, c.exported])
    _audit_ok(world)
    with app.app_context():
        from workorders.platform.models import AuditEvent

        moved = db.session.execute(select(func.count()).where(
            AuditEvent.action == "case.migrated")).scalar_one()
    assert moved == 3


# ---- a real rq worker, killed in the middle of the task ---------------------------------

def _on_version(app: Any, case_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per case: (its definition version number, how many case.migrated events it has)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent, Case, DefinitionVersion

    with app.app_context():
        versions = dict(db.session.execute(select(Case.id, DefinitionVersion.number).join(
            DefinitionVersion, DefinitionVersion.id == Case.definition_version_id).where(
            Case.id.in_(case_ids))).all())
        events = dict(db.session.execute(select(AuditEvent.subject_id, func.count()).where(
            AuditEvent.subject_type == "case", AuditEvent.action == "case.migrated",
            AuditEvent.subject_id.in_(case_ids)).group_by(AuditEvent.subject_id)).all())
        db.session.remove()
    return {i: (versions[i], events.get(i, 0)) for i in case_ids}


@contextmanager
def _holding(app: Any, case_id: int) -> Iterator[None]:
    """Hold what a mover needs next: the case's row lock (PostgreSQL) or the database
    write lock (SQLite), so the worker is stuck part-way when it is killed."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    with app.app_context():
        conn = db.engine.connect()
        try:
            if conn.dialect.name == "sqlite":  # database.py begins it as BEGIN IMMEDIATE
                conn.execution_options(sqlite_immediate=True).begin()
            else:
                conn.begin()
                conn.execute(select(Case.id).where(Case.id == case_id).with_for_update())
            yield
        finally:
            conn.rollback()
            conn.close()


def _wait_until_moving(app: Any, movable: list[int]) -> None:
    deadline = time.monotonic() + 60
    while not any(v == 2 for v, _ in _on_version(app, movable).values()):
        assert time.monotonic() < deadline, "the worker never moved a case"
        time.sleep(0.01)
    time.sleep(0.3)  # the worker is now waiting for the locked case


@contextmanager
def _sqlite_lock_once_moving(database_url: str) -> Iterator[None]:
    """SQLite has no row locks: the moment the first case has moved, take the
    database's write lock (a raw connection, polled every millisecond)."""
    import sqlite3

    conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0,
                           isolation_level=None)
    deadline = time.monotonic() + 60
    try:
        while not conn.execute("SELECT count(*) FROM audit_events "
                               "WHERE action = 'case.migrated'").fetchone()[0]:
            assert time.monotonic() < deadline, "the worker never moved a case"
            time.sleep(0.001)
        while True:  # no busy timeout: SQLite's busy wait would let the worker win each time
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError:
                assert time.monotonic() < deadline, "never got the write lock"
        time.sleep(0.3)  # the worker is now waiting for the write lock
        yield
    finally:
        conn.close()


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)


def test_a_worker_killed_mid_task_leaves_each_case_moved_or_not_and_a_rerun_finishes(
        app_config: dict[str, Any], database_url: str, redis_url: str) -> None:
    from workorders.platform import create_app

    app = create_app({**app_config, "redis_url": redis_url, "jobs_sync": False})
    world = World(app=app, a=make_tenant(app, "alpha", "Alpha AB"),
                  b=make_tenant(app, "bravo", "Bravo AB"))
    c = cases_in_every_state(world)
    extra = [book(world) for _ in range(60)]
    publish(world, V2)
    movable = sorted([c.booked, c.waiting, c.no_notes, c.exported, *extra])
    resp = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    assert resp.status_code == 202
    env = command_env(database_url, app.extensions["workorders.settings"].instance_dir,
                      REDIS_URL=redis_url, WORKORDERS_JOB_BACKOFF_SECONDS="0")
    middle = movable[len(movable) // 2]
    worker = subprocess.Popen([sys.executable, "-m", "workorders", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        if database_url.startswith("sqlite"):
            with _sqlite_lock_once_moving(database_url):
                _kill(worker)
        else:
            with _holding(app, middle):
                _wait_until_moving(app, movable)
                _kill(worker)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    state = _on_version(app, movable)
    moved = [i for i, (v, _) in state.items() if v == 2]
    assert 0 < len(moved) < len(movable), "the kill was not mid-task"
    assert all(s in ((1, 0), (2, 1)) for s in state.values()), state  # never half-moved
    _audit_ok(world)
    from tests.integration.test_export_faults import _expire_leases

    _expire_leases(app)  # what time does to the dead worker's claim
    rerun = run_workorders(["worker", "--burst"], env)
    assert rerun.returncode == 0, rerun.stderr
    assert set(_on_version(app, movable).values()) == {(2, 1)}  # each moved exactly once
    task = world.api("admin").get(f"/api/v1/tasks/{resp.json['task']['id']}").json
    assert task["status"] == "done" and sorted(task["result"]["migrated"]) == movable
    _audit_ok(world)


def test_a_decided_approval_stands_and_nothing_is_duplicated_when_the_rules_run_again(
        world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Approval, CaseException

    publish(world, V1)
    case_id = book(world)
    move(world, case_id, "start")
    submit(world, case_id, hours="12")  # 12 h: an approval (> 10 h) and LONG_JOB (> 8 h)
    [approval] = world.api("coordinator").get("/api/v1/approvals").json["items"]
    decided = world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                            json={"decision": "approve", "comment": "ok"})
    assert decided.status_code == 200, decided.json
    publish(world, V2)
    resp = _migrate(world, {**MAP, "dry_run": False, "comment": COMMENT})
    task = world.api("admin").get(f"/api/v1/tasks/{resp.json['task']['id']}").json
    assert task["result"]["migrated"] == [case_id]
    with world.app.app_context():
        approvals = db.session.execute(select(Approval.status).where(
            Approval.case_id == case_id)).scalars().all()
        exceptions = db.session.execute(select(CaseException.code, CaseException.status).where(
            CaseException.case_id == case_id)).all()
    assert approvals == ["approved"]  # the same facts: the decision stands, none re-asked
    assert sorted(exceptions) == [("LONG_JOB", "open")]  # still open once, not twice
