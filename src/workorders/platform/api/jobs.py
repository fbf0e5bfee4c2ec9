"""Retrying a failed or dead background job over HTTP: the same service as the
admin's jobs page (``services.job_retry.retry_job``), so both refuse alike.

The job list and one job stay in ``api/accounts.py`` beside the tenant's other
reads; an export's delivery job is retried as its export (``/exports/{id}/retry``).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from workorders.platform.api import api
from workorders.platform.api.accounts import job_json
from workorders.platform.api.docs import operation
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services.job_retry import retry_job


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
