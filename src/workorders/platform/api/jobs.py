"""The tenant's background jobs over HTTP: the list, one job, and a person's retry
of a failed or dead one. The retry is the same service as the admin's jobs page
(``services.job_retry.retry_job``), so both refuse alike; an export's delivery
job is retried as its export (``/exports/{id}/retry``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import page, page_args
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import JobStatus, OutboxJob
from workorders.platform.permissions import Action, require
from workorders.platform.services.job_retry import retry_job


def job_json(job: OutboxJob) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status, "attempts": job.attempts,
            "max_attempts": job.max_attempts, "last_error": job.last_error,
            "run_after": job.run_after.isoformat(), "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


@api.get("/jobs")
@require(Action.MANAGE_JOBS)
@operation("Background jobs of the tenant (outbox rows) with attempts and last error",
           query={"status": {"type": "string", "enum": [s.value for s in JobStatus]}})
def list_jobs() -> Any:
    limit, after = page_args()
    stmt = select(OutboxJob).where(OutboxJob.tenant_id == current_actor().tenant_id)
    if status := request.args.get("status"):
        stmt = stmt.where(OutboxJob.status == status)
    if after is not None:
        stmt = stmt.where(OutboxJob.id < after)
    rows = list(db.session.execute(stmt.order_by(OutboxJob.id.desc()).limit(limit + 1)).scalars())
    return jsonify(page(rows, limit, job_json))


@api.get("/jobs/<int:job_id>")
@require(Action.MANAGE_JOBS)
@operation("One background job", responses={200: "OK", 404: "No such job"})
def get_job(job_id: int) -> Any:
    return jsonify(job_json(get_for_tenant(OutboxJob, job_id, current_actor().tenant_id)))


@api.post("/jobs/<int:job_id>/retry")
@require(Action.MANAGE_JOBS)
@operation("Queue a failed or dead background job again, now, with a fresh set of attempts",
           responses={202: "The job, pending again", 404: "No such job",
                      409: "The job is waiting, running or done, or delivers an export "
                           "(retry the export instead)"},
           description="The retry is audited (`job.retried`, shown in the admin history). "
                       "The job's last error stays until its next attempt.")
def retry_background_job(job_id: int) -> Any:
    actor = current_actor()
    job = retry_job(actor.tenant_id, job_id, actor.email)
    resp = jsonify(job_json(job))
    resp.status_code = 202
    return resp
