"""The outbox: jobs run after commit, failures are retried and recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from workorders.platform.jobs import registry


def _jobs(app: Flask) -> list[Any]:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with app.app_context():
        rows = list(db.session.execute(select(OutboxJob).order_by(OutboxJob.id)).scalars())
        db.session.expunge_all()
        return rows


def _tenant(app: Flask) -> None:
    from workorders.platform.services.accounts import create_tenant

    with app.app_context():
        create_tenant("acme", "Acme AB")


def test_welcome_email_is_written_in_process_after_commit(app: Flask) -> None:
    from workorders.platform.services.accounts import create_user

    _tenant(app)
    with app.app_context():
        create_user("acme", "ada@acme.test", ["technician"], name="Ada")
    [job] = _jobs(app)
    assert (job.kind, job.status, job.attempts) == ("email.welcome", "done", 1)
    assert job.last_error is None
    mail_dir = app.extensions["workorders.settings"].mail_dir
    mail = (mail_dir / f"job-{job.id}-welcome.eml").read_text()
    assert "To: ada@acme.test" in mail and "Acme AB" in mail and "technician" in mail


def test_no_job_survives_a_rolled_back_change(app: Flask) -> None:
    from workorders.errors import Conflict
    from workorders.platform.services.accounts import create_user

    _tenant(app)
    with app.app_context():
        create_user("acme", "ada@acme.test", ["technician"])
        with pytest.raises(Conflict):
            create_user("acme", "ada@acme.test", ["viewer"])
    assert len(_jobs(app)) == 1


@pytest.fixture
def flaky_kind() -> Any:
    calls: list[int] = []

    def handler(ctx: registry.JobContext) -> None:
        calls.append(ctx.attempt)
        if ctx.attempt < 3:
            raise ConnectionError(f"receiver down (attempt {ctx.attempt})")

    import sys
    module = sys.modules[__name__]
    module._flaky_handler = handler  # type: ignore[attr-defined]
    registry.HANDLERS["test.flaky"] = f"{__name__}:_flaky_handler"
    yield calls
    registry.HANDLERS.pop("test.flaky")


def _enqueue(app: Flask, kind: str, max_attempts: int = 5) -> int:
    from workorders.platform.extensions import db
    from workorders.platform.jobs.outbox import enqueue_job

    with app.app_context():
        job = enqueue_job(kind, {"n": 1}, max_attempts=max_attempts)
        db.session.commit()
        return job.id


def test_a_failing_job_is_retried_with_its_error_recorded(app: Flask, flaky_kind: Any) -> None:
    from workorders.platform.jobs.dispatch import sweep

    job_id = _enqueue(app, "test.flaky")
    [job] = _jobs(app)
    assert job.status == "failed" and job.attempts == 1
    assert job.last_error == "ConnectionError: receiver down (attempt 1)"
    sweep(app)
    [job] = _jobs(app)
    assert job.status == "failed" and job.attempts == 2
    sweep(app)
    [job] = _jobs(app)
    assert (job.id, job.status, job.attempts, job.last_error) == (job_id, "done", 3, None)
    assert flaky_kind == [1, 2, 3]


def test_a_job_gives_up_after_max_attempts(app: Flask, flaky_kind: Any) -> None:
    from workorders.platform.jobs.dispatch import sweep

    _enqueue(app, "test.flaky", max_attempts=2)
    sweep(app)
    [job] = _jobs(app)
    assert (job.status, job.attempts) == ("dead", 2)
    assert "attempt 2" in job.last_error
    assert sweep(app) == 0


def test_unknown_job_kinds_die_at_once(app: Flask) -> None:
    _enqueue(app, "no.such.kind")
    [job] = _jobs(app)
    assert (job.status, job.attempts) == ("dead", 1)
    assert "no handler" in job.last_error


def test_retries_wait_for_their_backoff(app_config: dict[str, Any], flaky_kind: Any) -> None:
    from workorders.platform import create_app
    from workorders.platform.jobs.dispatch import sweep

    slow = create_app({**app_config, "job_backoff_seconds": 3600})
    _enqueue(slow, "test.flaky")
    [job] = _jobs(slow)
    assert job.status == "failed"
    assert job.run_after - job.updated_at > timedelta(minutes=30)
    assert sweep(slow) == 0  # not due yet


def test_a_claimed_job_cannot_be_run_twice(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.jobs.outbox import enqueue_job
    from workorders.platform.jobs.runner import run_job
    from workorders.platform.models import OutboxJob

    app.extensions["workorders.dispatcher"].synchronous = False
    app.extensions["workorders.dispatcher"].dispatch = lambda ids: None  # hold it back
    from workorders.platform.models.types import utcnow

    with app.app_context():
        job = enqueue_job("no.such.kind", {})
        db.session.commit()
        job_id = job.id
        db.session.execute(OutboxJob.__table__.update().values(
            status="running", locked_until=utcnow() + timedelta(hours=1)))
        db.session.commit()
    assert run_job(app, job_id) is None  # leased to someone else
    with app.app_context():
        db.session.execute(OutboxJob.__table__.update().values(
            locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert run_job(app, job_id) == "dead"  # the lease expired: an orphan is picked up
