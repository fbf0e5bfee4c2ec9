"""The tenant's home page: what needs attention, and who is on the team."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import OutboxJob
from workorders.platform.services.accounts import list_members
from workorders.platform.services.job_retry import failed_work_count
from workorders.platform.web import web


@web.get("/")
def home() -> Any:
    actor = current_actor()
    members = list_members(actor.tenant_id)
    job_counts: dict[str, int] = {}
    recent_jobs: list[OutboxJob] = []
    failed = 0
    if actor.has_any("admin"):
        failed = failed_work_count(actor.tenant_id)  # what /admin/jobs lists
        rows = db.session.execute(
            select(OutboxJob.status, func.count()).where(OutboxJob.tenant_id == actor.tenant_id)
            .group_by(OutboxJob.status)).all()
        job_counts = {status: count for status, count in rows}
        recent_jobs = list(db.session.execute(
            select(OutboxJob).where(OutboxJob.tenant_id == actor.tenant_id)
            .order_by(OutboxJob.id.desc()).limit(10)).scalars())
    return render_template("home.html", members=members, job_counts=job_counts,
                           recent_jobs=recent_jobs, failed_work=failed)
