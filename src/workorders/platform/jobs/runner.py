"""Running one outbox job: claim it atomically, run its handler, record the outcome.

The claim is one conditional UPDATE, so two workers (or a worker and the
in-process runner) can never run the same attempt; a job whose worker died
while running is claimable again once its lease has expired.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from workorders.platform.config import settings_of
from workorders.platform.database import begin_write
from workorders.platform.extensions import db
from workorders.platform.jobs.registry import (
    DeferJob,
    JobContext,
    PermanentJobError,
    handler_for,
)
from workorders.platform.models import JobStatus, OutboxJob
from workorders.platform.models.types import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
MAX_BACKOFF_SECONDS = 3600


def backoff_seconds(app: Flask, attempts: int) -> float:
    """Exponential backoff with +-25 % jitter so retries of many jobs spread out."""
    base = settings_of(app).job_backoff_seconds
    delay = min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS)
    return delay * random.uniform(0.75, 1.25)


def claimable() -> object:
    now = utcnow()
    return or_(
        and_(OutboxJob.status.in_([JobStatus.PENDING.value, JobStatus.FAILED.value]),
             OutboxJob.run_after <= now),
        and_(OutboxJob.status == JobStatus.RUNNING.value, OutboxJob.locked_until < now),
    )


def _claim(session: Session, job_id: int) -> OutboxJob | None:
    now = utcnow()
    lease = LEASE_SECONDS
    begin_write(session)
    result = session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, claimable())  # type: ignore[arg-type]
        .values(status=JobStatus.RUNNING.value, attempts=OutboxJob.attempts + 1,
                locked_until=now + timedelta(seconds=lease), updated_at=now)
        .execution_options(synchronize_session=False))
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.execute(select(OutboxJob).where(OutboxJob.id == job_id)).scalar_one()
    session.commit()  # end the read so the handler's own writes never wait on it
    return job


def _finish(session: Session, job_id: int, **values: object) -> None:
    """Record an outcome with one UPDATE that opens its own transaction (a
    read-then-write transaction could fail on SQLite after the handler wrote)."""
    begin_write(session)
    session.execute(update(OutboxJob).where(OutboxJob.id == job_id)
                    .values(locked_until=None, updated_at=utcnow(), **values)
                    .execution_options(synchronize_session=False))
    session.commit()


def run_job(app: Flask, job_id: int) -> str | None:
    """Run job ``job_id`` if it is due; answer its new status, or None if not claimed."""
    with app.app_context():
        session = Session(bind=db.engine, expire_on_commit=False)
        try:
            job = _claim(session, job_id)
            if job is None:
                return None
            ctx = JobContext(app=app, job_id=job.id, tenant_id=job.tenant_id,
                             payload=dict(job.payload or {}), attempt=job.attempts,
                             max_attempts=job.max_attempts)
            try:
                handler_for(job.kind)(ctx)
            except DeferJob as later:  # not an attempt: due again at ``until``
                session.rollback()
                _finish(session, job.id, status=JobStatus.PENDING.value, last_error=str(later),
                        run_after=later.until, attempts=max(job.attempts - 1, 0))
                return JobStatus.PENDING.value
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                return _record_failure(app, session, job, exc)
            _finish(session, job.id, status=JobStatus.DONE.value, last_error=None,
                    finished_at=utcnow())
            return JobStatus.DONE.value
        finally:
            session.close()


def _record_failure(app: Flask, session: Session, job: OutboxJob, exc: Exception) -> str:
    log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
    session.rollback()
    error = f"{type(exc).__name__}: {exc}"[:4000]
    if isinstance(exc, PermanentJobError) or job.attempts >= job.max_attempts:
        _finish(session, job.id, status=JobStatus.DEAD.value, last_error=error,
                finished_at=utcnow())
        return JobStatus.DEAD.value
    retry_at = utcnow() + timedelta(seconds=backoff_seconds(app, job.attempts))
    _finish(session, job.id, status=JobStatus.FAILED.value, last_error=error, run_after=retry_at)
    return JobStatus.FAILED.value


def due_job_ids(app: Flask, limit: int = 100) -> list[int]:
    """Jobs that should run now: never dispatched, due for a retry, or orphaned."""
    with app.app_context():
        stmt = (select(OutboxJob.id).where(claimable())  # type: ignore[arg-type]
                .order_by(OutboxJob.id).limit(limit))
        return list(db.session.execute(stmt).scalars())
