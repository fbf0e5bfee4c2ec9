"""Jobs and deliveries: failed and dead work with its error in words, and a retry
that re-queues it (the API and the page's button go through the same services),
refuses what is not failed or dead, never reaches another tenant, and is audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.integration.test_capture_pages import login
from tests.support.exports import (
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.state import snapshot
from tests.support.web import signed_in_home
from tests.support.world import PASSWORD, World, make_tenant

KIND = "test.receiver"
#: the receiver of the test job kind: down until a test brings it back
RECEIVER: dict[str, Any] = {"down": True, "received": []}


def _receive(ctx: Any) -> None:
    """The handler of ``test.receiver`` jobs: fails while the receiver is down."""
    if RECEIVER["down"]:
        raise ConnectionError(f"receiver down (attempt {ctx.attempt})")
    RECEIVER["received"].append(ctx.job_id)


@pytest.fixture
def receiver_kind() -> Iterator[dict[str, Any]]:
    from workorders.platform.jobs import registry

    RECEIVER.update(down=True, received=[])
    registry.HANDLERS[KIND] = f"{__name__}:_receive"
    yield RECEIVER
    registry.HANDLERS.pop(KIND)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _job(app: Flask, job_id: int) -> Any:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with app.app_context():
        job = db.session.get(OutboxJob, job_id)
        db.session.expunge_all()
        return job


def dead_job(world: World, tenant: str = "a", max_attempts: int = 2) -> int:
    """A job of this tenant that failed every attempt (the receiver is down)."""
    from workorders.platform.extensions import db
    from workorders.platform.jobs.dispatch import sweep
    from workorders.platform.jobs.outbox import enqueue_job

    cast = world.a if tenant == "a" else world.b
    with world.app.app_context():
        job = enqueue_job(KIND, {"n": 1}, tenant_id=cast.tenant_id, max_attempts=max_attempts)
        db.session.commit()
        job_id = job.id
    while _job(world.app, job_id).status == "failed":
        sweep(world.app)
    assert _job(world.app, job_id).status == "dead"
    return job_id


def _retry_events(app: Flask) -> list[Any]:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        rows = list(db.session.execute(select(AuditEvent).where(
            AuditEvent.action == "job.retried").order_by(AuditEvent.id)).scalars())
        db.session.expunge_all()
        return rows


def test_a_dead_job_is_listed_with_its_error_in_words(world: World,
                                                      receiver_kind: dict[str, Any]) -> None:
    job_id = dead_job(world)
    page = login(world, "admin").get("/admin/jobs").get_data(as_text=True)
    row = page.split(f'data-testid="job-{job_id}"')[1].split("</tr>")[0]
    assert "Could not connect: receiver down (attempt 2)" in row
    assert "ConnectionError" not in row
    assert "2 of 2" in row and "dead" in row
    assert f'data-testid="retry-job-{job_id}"' in row
    home = login(world, "admin").get("/").get_data(as_text=True)  # its recent jobs alike
    assert "Could not connect: receiver down (attempt 2)" in home
    assert "ConnectionError" not in home
    assert "email" not in page.split('data-testid="failed-jobs"')[1].split("</section>")[0] \
        .lower().replace("emails, notifications", "")  # the welcome emails went out


def test_the_api_retry_requeues_a_dead_job_which_runs_once_the_fault_is_gone(
        world: World, receiver_kind: dict[str, Any]) -> None:
    job_id = dead_job(world)
    receiver_kind["down"] = False
    resp = world.api("admin").post(f"/api/v1/jobs/{job_id}/retry")
    assert resp.status_code == 202, resp.json
    assert resp.json["id"] == job_id
    job = _job(world.app, job_id)  # jobs run right after the commit in tests
    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    assert receiver_kind["received"] == [job_id]
    [event] = _retry_events(world.app)
    assert (event.tenant_id, event.subject_type, event.subject_id, event.actor) == (
        world.a.tenant_id, "job", job_id, "admin@alpha.test")
    assert event.before["status"] == "dead" and event.before["attempts"] == 2
    assert event.after["kind"] == KIND
    history = world.api("admin").get("/api/v1/admin/history?kind=jobs").json["items"]
    assert [i["words"] for i in history] == [f"Retried job {job_id} (test receiver)"]
    assert "job-" + str(job_id) not in login(world, "admin").get("/admin/jobs") \
        .get_data(as_text=True)


def test_a_retried_job_that_fails_again_gets_a_fresh_set_of_attempts(
        world: World, receiver_kind: dict[str, Any]) -> None:
    from workorders.platform.jobs.dispatch import sweep

    job_id = dead_job(world, max_attempts=3)
    assert world.api("admin").post(f"/api/v1/jobs/{job_id}/retry").status_code == 202
    job = _job(world.app, job_id)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.last_error == "ConnectionError: receiver down (attempt 1)"
    sweep(world.app)
    sweep(world.app)
    assert (_job(world.app, job_id).status, _job(world.app, job_id).attempts) == ("dead", 3)


def test_a_failed_job_waiting_for_its_next_try_is_retried_now(
        app_config: dict[str, Any], receiver_kind: dict[str, Any]) -> None:
    from workorders.platform import create_app
    from workorders.platform.extensions import db
    from workorders.platform.jobs.outbox import enqueue_job

    slow = create_app({**app_config, "job_backoff_seconds": 3600})
    world = World(app=slow, a=make_tenant(slow, "alpha", "Alpha Heat AB"),
                  b=make_tenant(slow, "bravo", "Bravo Electric Oy"))
    with slow.app_context():
        job = enqueue_job(KIND, {}, tenant_id=world.a.tenant_id)
        db.session.commit()
        job_id = job.id
    assert _job(slow, job_id).status == "failed"
    page = login(world, "admin").get("/admin/jobs").get_data(as_text=True)
    assert "next try" in page.split(f'data-testid="job-{job_id}"')[1].split("</tr>")[0]
    receiver_kind["down"] = False
    assert world.api("admin").post(f"/api/v1/jobs/{job_id}/retry").status_code == 202
    assert _job(slow, job_id).status == "done"


def test_retry_refuses_work_that_is_not_failed_or_dead(world: World,
                                                       receiver_kind: dict[str, Any]) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with world.app.app_context():
        done = db.session.execute(select(OutboxJob.id).where(
            OutboxJob.tenant_id == world.a.tenant_id, OutboxJob.status == "done")
            .limit(1)).scalar_one()  # a welcome email that went out
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = world.api("admin").post(f"/api/v1/jobs/{done}/retry")
    assert resp.status_code == 409
    assert resp.json["detail"] == f"job {done} is done; only failed or dead jobs are retried"
    page = admin.post(f"/admin/jobs/{done}/retry", follow_redirects=True)
    assert (f"Nothing was retried: job {done} is done; only failed or dead jobs are retried."
            in page.get_data(as_text=True))
    assert snapshot(world.app) == before


def test_another_tenants_job_is_not_found(world: World, receiver_kind: dict[str, Any]) -> None:
    job_id = dead_job(world, tenant="b")
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = world.api("admin").post(f"/api/v1/jobs/{job_id}/retry")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert admin.post(f"/admin/jobs/{job_id}/retry").status_code == 404
    assert f'data-testid="job-{job_id}"' not in admin.get("/admin/jobs").get_data(as_text=True)
    assert snapshot(world.app) == before


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_only_admins_see_and_retry_jobs(world: World, receiver_kind: dict[str, Any],
                                        role: str) -> None:
    job_id = dead_job(world)
    client = login(world, role)
    before = snapshot(world.app)
    assert world.api(role).post(f"/api/v1/jobs/{job_id}/retry").status_code == 403
    assert client.get("/admin/jobs").status_code == 403
    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 403
    assert 'data-testid="home-failed-jobs"' not in signed_in_home(client).get_data(as_text=True)
    assert snapshot(world.app) == before


def test_the_page_retry_button_does_what_the_api_does(world: World,
                                                      receiver_kind: dict[str, Any]) -> None:
    job_id = dead_job(world)
    receiver_kind["down"] = False
    admin = login(world, "admin")
    home = admin.get("/").get_data(as_text=True)
    assert '<a href="/admin/jobs" data-testid="home-failed-jobs">1 failed or gave up</a>' in home
    page = admin.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True) \
        .get_data(as_text=True)
    assert f"Job {job_id} is queued again with a fresh set of attempts." in page
    assert "No background job failed." in page
    job = _job(world.app, job_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert receiver_kind["received"] == [job_id]
    [event] = _retry_events(world.app)
    assert (event.subject_id, event.actor) == (job_id, "admin@alpha.test")


def test_the_page_refuses_a_retry_without_its_csrf_token(world: World, app_config: dict[str, Any],
                                                        receiver_kind: dict[str, Any]) -> None:
    from workorders.platform import create_app

    job_id = dead_job(world)
    strict = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = strict.test_client()

    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    before = snapshot(world.app)
    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 400
    assert client.post(f"/admin/jobs/exports/{job_id}/retry").status_code == 400
    assert snapshot(world.app) == before
    page = client.get("/admin/jobs").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/admin/jobs/{job_id}/retry",
                       data={"csrf_token": token}).status_code == 302
    assert len(_retry_events(world.app)) == 1


def test_an_export_delivery_is_retried_as_its_export(world: World) -> None:
    """A dead delivery is listed once, as its export (linked), and its Retry goes
    through the exports' own retry; its job cannot be re-queued behind its back."""
    with running_receiver([500, 503]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic",), max_attempts=2))
        invoice(world, ready_case(world)["id"])
        drain(world.app)
        [export] = exports_of(world)
        assert export["status"] == "dead"
        admin = login(world, "admin")
        page = admin.get("/admin/jobs").get_data(as_text=True)
        row = page.split(f'data-testid="export-{export["id"]}"')[1].split("</tr>")[0]
        assert f'href="/exports/{export["id"]}"' in row
        assert "answered 503" in row and ">2<" in row
        assert "export delivery" not in page  # not listed a second time as a job

        from workorders.platform.extensions import db
        from workorders.platform.models import Export

        with world.app.app_context():
            job_id = db.session.get(Export, export["id"]).job_id
        refused = world.api("admin").post(f"/api/v1/jobs/{job_id}/retry")
        assert refused.status_code == 409
        assert f"retry the export instead (POST /api/v1/exports/{export['id']}/retry" in \
            refused.json["detail"]

        done = admin.post(f"/admin/jobs/exports/{export['id']}/retry", follow_redirects=True)
        assert "is queued again; it goes out with the same idempotency key" in done.get_data(
            as_text=True)
        drain(world.app)
        [after] = exports_of(world)
    assert after["status"] == "delivered"
    assert list(receiver.stored) == [after["idempotency_key"]]
    again = admin.post(f"/admin/jobs/exports/{export['id']}/retry", follow_redirects=True)
    assert "Nothing was retried: export" in again.get_data(as_text=True)


def test_with_redis_a_retried_welcome_email_goes_to_rq_and_a_worker_sends_it(
        app_config: dict[str, Any], database_url: str, redis_url: str) -> None:
    """The real thing: the mail server is down, the welcome email fails and waits an
    hour for its next try; once the server is back an admin retries it, the retry is
    enqueued to Redis after the commit, and a ``workorders worker`` sends it."""
    from pathlib import Path

    from redis import Redis

    from tests.support.processes import command_env, run_workorders
    from workorders.platform import create_app
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    app = create_app({**app_config, "redis_url": redis_url, "jobs_sync": False})
    world = World(app=app, a=make_tenant(app, "alpha", "Alpha Heat AB"),
                  b=make_tenant(app, "bravo", "Bravo Electric Oy"))
    instance: Path = app.extensions["workorders.settings"].instance_dir

    def worker(**env: str) -> None:
        result = run_workorders(["worker", "--burst"], command_env(
            database_url, instance, REDIS_URL=redis_url, **env))
        assert result.returncode == 0, result.stderr

    worker(WORKORDERS_SMTP_URL="smtp://127.0.0.1:1", WORKORDERS_JOB_BACKOFF_SECONDS="3600")
    with app.app_context():
        job = db.session.execute(select(OutboxJob).where(
            OutboxJob.tenant_id == world.a.tenant_id, OutboxJob.kind == "email.welcome")
            .order_by(OutboxJob.id).limit(1)).scalar_one()
        job_id = job.id
        db.session.remove()
    assert (_job(app, job_id).status, _job(app, job_id).attempts) == ("failed", 1)
    page = login(world, "admin").get("/admin/jobs").get_data(as_text=True)
    row = page.split(f'data-testid="job-{job_id}"')[1].split("</tr>")[0]
    assert "Welcome email" in row and "The server refused the connection" in row

    queue = Redis.from_url(redis_url)
    queue.delete("rq:queue:workorders")
    resp = world.api("admin").post(f"/api/v1/jobs/{job_id}/retry")
    assert resp.status_code == 202 and resp.json["status"] == "pending"
    assert queue.llen("rq:queue:workorders") == 1
    worker(WORKORDERS_JOB_BACKOFF_SECONDS="3600")  # the mail server is back (files)
    job = _job(app, job_id)
    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    mail = (app.extensions["workorders.settings"].mail_dir / f"job-{job_id}-welcome.eml")
    assert "Welcome to Alpha Heat AB" in mail.read_text()
