"""Work that did not get done: failed and dead background jobs and deliveries, and
a person's retry of a job.

Two kinds of work can fail. Background jobs (welcome emails, notifications,
customer links, simulations) are outbox rows; a retry puts the same row back in
the queue with a fresh set of attempts. Deliveries of exports are outbox jobs too,
but the export row is what people follow (its status, its attempts, its number),
so they are listed and retried as exports (``services.exports.retry_export``),
never by re-queueing their job behind the export's back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from workorders.errors import Conflict
from workorders.platform.database import get_for_tenant, lock_tenant
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import requeue_job
from workorders.platform.models import Case, Export, ExportAttempt, JobStatus, OutboxJob
from workorders.platform.services.admin_history import job_kind_words
from workorders.platform.services.audit import record_event
from workorders.platform.services.export_queries import ExportFilters, tenant_exports
from workorders.platform.services.exports import JOB_KIND as EXPORT_JOB_KIND
from workorders.platform.services.exports import RETRYABLE as RETRYABLE_EXPORTS
from workorders.platform.services.unit_of_work import transaction

RETRYABLE_JOBS = (JobStatus.FAILED.value, JobStatus.DEAD.value)
#: rows shown per table; older failures stay in the API's job list
SHOWN = 200
ERROR_SHOWN = 500

#: how the runner records an exception ("ConnectionError: ...") -> its words
_ERROR_WORDS = {
    "ConnectionError": "Could not connect",
    "ConnectionRefusedError": "The server refused the connection",
    "TimeoutError": "Timed out",
    "socket.timeout": "Timed out",
    "SMTPException": "The mail server refused",
    "PermanentJobError": "",
    "DeliveryFailed": "",
}
_RECORDED = re.compile(r"^([A-Za-z_][\w.]*): (.*)$", re.DOTALL)


def error_in_words(error: str | None) -> str:
    """A recorded job error as a person reads it: the message without the Python
    class name (which only some classes turn into a few words), shortened."""
    if not error or not error.strip():
        return "No error was recorded."
    text = error.strip()
    match = _RECORDED.match(text)
    if match and (match.group(1) in _ERROR_WORDS or match.group(1).endswith(
            ("Error", "Exception", "Unavailable", "Failed"))):
        prefix = _ERROR_WORDS.get(match.group(1), "")
        message = match.group(2).strip()
        text = f"{prefix}: {message}" if prefix else message
    text = text[:1].upper() + text[1:]
    return text if len(text) <= ERROR_SHOWN else text[:ERROR_SHOWN - 1] + "…"


@dataclass(frozen=True)
class FailedJob:
    id: int
    kind: str
    what: str
    status: str
    error: str
    attempts: int
    max_attempts: int
    #: when it gave up (dead) or last failed (failed)
    at: datetime
    #: when the outbox tries a failed job again by itself; None once dead
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class FailedExport:
    id: int
    invoice_number: str
    kind: str
    connector: str
    case_id: int
    case_number: str | None
    status: str
    error: str
    attempts: int
    at: datetime


@dataclass(frozen=True)
class FailedWork:
    jobs: list[FailedJob]
    exports: list[FailedExport]


def _failed_jobs(tenant_id: int) -> list[FailedJob]:
    rows = db.session.execute(select(OutboxJob).where(
        OutboxJob.tenant_id == tenant_id, OutboxJob.status.in_(RETRYABLE_JOBS),
        OutboxJob.kind != EXPORT_JOB_KIND).order_by(OutboxJob.id.desc()).limit(SHOWN)).scalars()
    return [FailedJob(
        id=j.id, kind=j.kind, what=job_kind_words(j.kind), status=j.status,
        error=error_in_words(j.last_error), attempts=j.attempts, max_attempts=j.max_attempts,
        at=j.finished_at or j.updated_at,
        next_attempt_at=j.run_after if j.status == JobStatus.FAILED.value else None)
        for j in rows]


def _failed_exports(tenant_id: int) -> list[FailedExport]:
    exports = list(db.session.execute(
        tenant_exports(tenant_id, ExportFilters())
        .where(Export.status.in_(RETRYABLE_EXPORTS))
        .order_by(Export.id.desc()).limit(SHOWN)).scalars())
    ids = [e.id for e in exports]
    tried = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(ExportAttempt.export_id, func.count(), func.max(ExportAttempt.at))
        .where(ExportAttempt.export_id.in_(ids)).group_by(ExportAttempt.export_id))} \
        if ids else {}
    numbers = {row[0]: row[1] for row in db.session.execute(select(Case.id, Case.number).where(
        Case.id.in_({e.case_id for e in exports})))} if exports else {}
    views = []
    for e in exports:
        count, last = tried.get(e.id, (0, None))
        views.append(FailedExport(
            id=e.id, invoice_number=e.invoice_number, kind=e.kind.replace("_", " "),
            connector=e.connector_id, case_id=e.case_id, case_number=numbers.get(e.case_id),
            status=e.status, error=error_in_words(e.last_error), attempts=int(count),
            at=last or e.created_at))
    return views


def failed_work(tenant_id: int) -> FailedWork:
    """The tenant's failed and dead background jobs and exports, newest first."""
    return FailedWork(jobs=_failed_jobs(tenant_id), exports=_failed_exports(tenant_id))


def failed_work_count(tenant_id: int) -> int:
    """How many jobs and exports :func:`failed_work` lists (before its cut)."""
    jobs = db.session.execute(select(func.count()).select_from(OutboxJob).where(
        OutboxJob.tenant_id == tenant_id, OutboxJob.status.in_(RETRYABLE_JOBS),
        OutboxJob.kind != EXPORT_JOB_KIND)).scalar_one()
    exports = db.session.execute(select(func.count()).select_from(
        tenant_exports(tenant_id, ExportFilters())
        .where(Export.status.in_(RETRYABLE_EXPORTS)).subquery())).scalar_one()
    return int(jobs) + int(exports)


def retry_job(tenant_id: int, job_id: int, actor: str) -> OutboxJob:
    """Queue a failed or dead background job again, now, with a fresh set of attempts,
    and audit it (``job.retried``). Another tenant's job is not found; a job that is
    waiting, running or done is a Conflict; an export's delivery job is retried as
    its export."""
    with transaction() as session:
        lock_tenant(tenant_id)  # the tenant's audit chain
        job = get_for_tenant(OutboxJob, job_id, tenant_id, lock=True)
        if job.kind == EXPORT_JOB_KIND:
            export_id = (job.payload or {}).get("export_id")
            raise Conflict(f"job {job.id} delivers export {export_id}: retry the export "
                           f"instead (POST /api/v1/exports/{export_id}/retry, or its page), "
                           "so its status and attempts stay right")
        if job.status not in RETRYABLE_JOBS:
            raise Conflict(f"job {job.id} is {job.status}; only failed or dead jobs are "
                           "retried")
        before = {"status": job.status, "attempts": job.attempts,
                  "error": error_in_words(job.last_error)}
        requeue_job(job)
        record_event(session, tenant_id=tenant_id, subject_type="job", subject_id=job.id,
                     actor=actor, action="job.retried", before=before,
                     after={"kind": job.kind, "status": job.status})
    return job
