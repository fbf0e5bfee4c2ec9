"""Jobs through a real rq worker process on a real Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support.processes import command_env, run_workorders


@pytest.fixture
def rq_app(app_config: dict[str, Any], redis_url: str) -> Flask:
    from workorders.platform import create_app

    return create_app({**app_config, "redis_url": redis_url, "jobs_sync": False})


def _job(app: Flask) -> Any:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with app.app_context():
        job = db.session.execute(select(OutboxJob)).scalar_one()
        db.session.expunge(job)
        return job


def _add_user(app: Flask) -> None:
    from workorders.platform.services.accounts import create_tenant, create_user

    with app.app_context():
        create_tenant("acme", "Acme AB")
        create_user("acme", "ada@acme.test", ["technician"])


def _worker(app: Flask, database_url: str, redis_url: str, **env: str) -> None:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    result = run_workorders(["worker", "--burst"], command_env(
        database_url, instance, REDIS_URL=redis_url, WORKORDERS_JOB_BACKOFF_SECONDS="0", **env))
    assert result.returncode == 0, result.stderr


def test_a_job_is_enqueued_to_redis_and_run_by_a_worker(
        rq_app: Flask, database_url: str, redis_url: str) -> None:
    from redis import Redis

    _add_user(rq_app)
    job = _job(rq_app)
    assert job.status == "pending"
    assert Redis.from_url(redis_url).llen("rq:queue:workorders") == 1
    _worker(rq_app, database_url, redis_url)
    job = _job(rq_app)
    assert (job.status, job.attempts) == ("done", 1)
    mail_dir = rq_app.extensions["workorders.settings"].mail_dir
    assert "To: ada@acme.test" in (mail_dir / f"job-{job.id}-welcome.eml").read_text()


def test_a_failing_job_is_retried_by_the_worker_until_it_succeeds(
        rq_app: Flask, database_url: str, redis_url: str) -> None:
    _add_user(rq_app)
    closed_smtp = {"WORKORDERS_SMTP_URL": "smtp://127.0.0.1:1"}
    _worker(rq_app, database_url, redis_url, **closed_smtp)
    job = _job(rq_app)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "ConnectionRefusedError" in job.last_error
    _worker(rq_app, database_url, redis_url, **closed_smtp)  # the sweep re-enqueues it
    assert (_job(rq_app).status, _job(rq_app).attempts) == ("failed", 2)
    _worker(rq_app, database_url, redis_url)  # the mail server is back
    job = _job(rq_app)
    assert (job.status, job.attempts, job.last_error) == ("done", 3, None)


def test_jobs_wait_in_the_outbox_while_redis_is_down(
        app_config: dict[str, Any], database_url: str, redis_url: str) -> None:
    from workorders.platform import create_app

    down = create_app({**app_config, "redis_url": "redis://127.0.0.1:1/0", "jobs_sync": False})
    _add_user(down)  # the change itself succeeds
    assert _job(down).status == "pending"
    up = create_app({**app_config, "redis_url": redis_url, "jobs_sync": False})
    _worker(up, database_url, redis_url)  # the worker's start-up sweep finds it
    assert _job(up).status == "done"


def test_commits_share_one_redis_connection_and_a_sweep_does_not_queue_a_waiting_job_twice(
        rq_app: Flask, redis_url: str) -> None:
    """Each commit that writes jobs enqueues them over the process's one Redis
    client (a client per commit opened a connection per request); the sweeper's
    re-dispatch leaves a job that is still queued alone."""
    from redis import Redis

    from workorders.platform.jobs.dispatch import sweep
    from workorders.platform.services.accounts import create_tenant, create_user

    redis = Redis.from_url(redis_url)
    opened = int(redis.info("stats")["total_connections_received"])
    with rq_app.app_context():
        create_tenant("acme", "Acme AB")
        for n in range(6):
            create_user("acme", f"tech{n}@acme.test", ["technician"])  # a welcome job each
    assert redis.llen("rq:queue:workorders") == 6
    # this test's own client is one of them
    assert int(redis.info("stats")["total_connections_received"]) - opened <= 2
    assert sweep(rq_app) == 6  # all due, all still queued: nothing is added
    assert redis.llen("rq:queue:workorders") == 6
