"""Writing jobs: a row in the caller's transaction, dispatched only after commit.

A job written in the same transaction as the change that needs it cannot be
lost (the change rolled back: no job) nor run early (not committed: invisible).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from workorders.platform.extensions import db
from workorders.platform.models import JobStatus, OutboxJob
from workorders.platform.models.types import utcnow

NEW_JOBS_KEY = "workorders.new_jobs"
_INSERT_JOBS = insert(OutboxJob).returning(OutboxJob.id, sort_by_parameter_order=True)
#: one job (the common case: a message to one person) is a plain INSERT ... RETURNING,
#: lighter than the ordered batch form above
_INSERT_JOB = insert(OutboxJob).returning(OutboxJob.id)


def enqueue_job(kind: str, payload: dict[str, Any], *, tenant_id: int | None = None,
                dedupe_key: str | None = None, max_attempts: int = 5) -> OutboxJob:
    """Add a job to the current transaction; a repeated ``dedupe_key`` returns
    the job already written instead of a second one."""
    session = db.session
    if dedupe_key is not None:
        existing = session.execute(
            select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key)).scalar_one_or_none()
        if existing is not None:
            return existing
    job = OutboxJob(kind=kind, payload=payload, tenant_id=tenant_id, dedupe_key=dedupe_key,
                    max_attempts=max_attempts)
    session.add(job)
    session.flush()
    session.info.setdefault(NEW_JOBS_KEY, []).append(job.id)
    return job


def enqueue_jobs(kind: str, payloads: list[dict[str, Any]], *, tenant_id: int | None = None,
                 max_attempts: int = 5) -> list[int]:
    """Add several new jobs of one kind (no dedupe: their causes are new) in one Core
    statement, answering their ids in payload order. No objects: a caller that
    writes jobs in bulk only needs to know which they are."""
    if not payloads:
        return []
    session = db.session
    rows = [{"kind": kind, "payload": payload, "tenant_id": tenant_id,
             "max_attempts": max_attempts} for payload in payloads]
    if len(rows) == 1:
        ids = [session.connection().execute(_INSERT_JOB, rows[0]).scalar_one()]
    else:
        ids = list(session.connection().execute(_INSERT_JOBS, rows).scalars())
    session.info.setdefault(NEW_JOBS_KEY, []).extend(ids)
    return ids


def requeue_job(job: OutboxJob) -> None:
    """Make a failed or dead job due now with a fresh set of attempts, in the
    caller's transaction; it is dispatched after commit like a new job. The last
    error stays on the row until the next attempt replaces or clears it."""
    job.status = JobStatus.PENDING.value
    job.attempts = 0
    job.run_after = utcnow()
    job.locked_until = None
    job.finished_at = None
    db.session.flush()
    db.session.info.setdefault(NEW_JOBS_KEY, []).append(job.id)
