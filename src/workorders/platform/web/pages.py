"""The tenant's home page. Coordinators and admins get their work home: today's
and overdue cases, open exceptions by severity, approvals waiting for them and
dead deliveries, each a number linking to the list that shows exactly those
items. A technician who is neither goes to My jobs. Every number comes from the
query its list uses (the case list's filter, the exceptions queue's filter, the
inbox's nav count, the exports list's query), never from a second copy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import redirect, render_template, url_for
from sqlalchemy import Select, func, select

from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import OutboxJob
from workorders.platform.permissions import Action, may
from workorders.platform.services.accounts import list_members
from workorders.platform.services.case_list import ListParams, filtered, tenant_definitions
from workorders.platform.services.exception_queue import ExceptionFilter, filtered_exceptions
from workorders.platform.services.export_queries import ExportFilters, tenant_exports
from workorders.platform.services.job_retry import failed_work_count
from workorders.platform.services.work_queue import STAFF
from workorders.platform.web import web
from workorders.platform.web.display import display_zone
from workorders.platform.web.work_items import SEVERITIES, work_counts


def _count(stmt: Select[Any]) -> int:
    return int(db.session.execute(
        stmt.with_only_columns(func.count()).order_by(None)).scalar_one())


def work_home() -> dict[str, Any]:
    """The coordinator's figures, with the fixed list parameters each links to."""
    actor = current_actor()
    zone = display_zone()
    today = datetime.now(zone).date()
    defs = tenant_definitions(actor.tenant_id)
    today_params = ListParams(start=today, end=today)
    overdue_params = ListParams(overdue=True)
    by_severity = {s: _count(filtered_exceptions(actor, ExceptionFilter(severity=s)))
                   for s in SEVERITIES}
    counts = work_counts(actor)
    dead = None
    if may(actor, Action.READ_INVOICES):
        dead = _count(tenant_exports(actor.tenant_id, ExportFilters(status="dead")))
    return {
        "today": _count(filtered(actor, today_params, defs, zone)),
        "today_args": today_params.query(sort="scheduled"),
        "overdue": _count(filtered(actor, overdue_params, defs, zone)),
        "overdue_args": overdue_params.query(sort="scheduled"),
        "exceptions_by_severity": by_severity,
        "approvals": counts.my_approvals if counts else 0,
        "dead_deliveries": dead,
    }


@web.get("/")
def home() -> Any:
    actor = current_actor()
    if actor.has_any("technician") and not actor.has_any(*STAFF):
        return redirect(url_for("web.my_jobs"))
    work = work_home() if actor.has_any(*STAFF) else None
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
                           recent_jobs=recent_jobs, failed_work=failed, work=work)
