"""The admin workspace's own pages: its front page (a card per admin page, with
what waits there), failed and dead jobs and deliveries with a retry, and the
history of admin actions.

Every action goes through the service the API uses (``retry_job``,
``retry_export``), and every sentence about an admin event comes from
``services.admin_history.describe_admin_event``. The pages of definitions, people
and tokens live in their own modules; the front page links them by endpoint.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workorders.errors import Conflict
from workorders.platform.auth import current_actor
from workorders.platform.input_guard import MAX_ID
from workorders.platform.models import AuditEvent
from workorders.platform.permissions import Action, require
from workorders.platform.services.admin_history import (
    KINDS,
    admin_events,
    describe_admin_event,
)
from workorders.platform.services.admin_overview import admin_overview
from workorders.platform.services.exports import retry_export
from workorders.platform.services.job_retry import error_in_words, failed_work, retry_job
from workorders.platform.services.notification_log import status_counts
from workorders.platform.web import web
from workorders.platform.web.lookups import names_by_email

HISTORY_PAGE = 50
#: the history filter's choices, in the order the page offers them
KIND_LABELS = {"definitions": "Definitions", "people": "People", "tokens": "API tokens",
               "secrets": "Secrets", "jobs": "Jobs", "messages": "Customer messages"}


class RetryForm(FlaskForm):
    """Only the CSRF token: the job or export is in the URL."""


@web.app_template_filter("error_words")
def error_words(error: str | None) -> str:
    """A job's recorded error as the jobs page words it, for the home page's list."""
    return error_in_words(error) if error else ""


@web.get("/admin")
@require(Action.ADMIN_WORKSPACE)
def admin_home() -> Any:
    actor = current_actor()
    overview = admin_overview(actor.tenant_id)
    latest = overview.latest_event
    counts = status_counts(actor.tenant_id)
    return render_template(
        "admin/home.html", overview=overview,
        messages_waiting=counts.get("dead", 0) + counts.get("throttled", 0),
        latest_words=describe_admin_event(latest) if latest else None,
        latest_by=names_by_email(actor).get(latest.actor, latest.actor) if latest else None)


@web.get("/admin/jobs")
@require(Action.MANAGE_JOBS)
def admin_jobs() -> Any:
    work = failed_work(current_actor().tenant_id)
    return render_template("admin/jobs.html", work=work, form=RetryForm())


@web.post("/admin/jobs/<int:job_id>/retry")
@require(Action.MANAGE_JOBS)
def admin_job_retry(job_id: int) -> Any:
    if not RetryForm().validate_on_submit():
        flash("The form expired. Reload the page and press Retry again.", "error")
        return redirect(url_for("web.admin_jobs"))
    actor = current_actor()
    try:
        job = retry_job(actor.tenant_id, job_id, actor.email)
    except Conflict as exc:
        flash(f"Nothing was retried: {exc.message}.", "error")
    else:
        flash(f"Job {job.id} is queued again with a fresh set of attempts.", "success")
    return redirect(url_for("web.admin_jobs"))


@web.post("/admin/jobs/exports/<int:export_id>/retry")
@require(Action.MANAGE_JOBS)
def admin_export_retry(export_id: int) -> Any:
    if not RetryForm().validate_on_submit():
        flash("The form expired. Reload the page and press Retry again.", "error")
        return redirect(url_for("web.admin_jobs"))
    try:
        export = retry_export(current_actor(), export_id)
    except Conflict as exc:
        flash(f"Nothing was retried: {exc.message}.", "error")
    else:
        flash(f"{export.invoice_number} is queued again; it goes out with the same "
              "idempotency key, so the receiver cannot book it twice.", "success")
    return redirect(url_for("web.admin_jobs"))


@web.get("/admin/history")
@require(Action.READ_ADMIN_HISTORY)
def admin_history() -> Any:
    actor = current_actor()
    kind = request.args.get("kind") or None
    unknown_kind = kind if kind is not None and kind not in KINDS else None
    if unknown_kind:
        kind = None
    before = request.args.get("before", type=int)
    bad_before = "before" in request.args and (before is None or not 1 <= before <= MAX_ID)
    if bad_before:
        before = None
    rows = admin_events(actor.tenant_id, limit=HISTORY_PAGE + 1, before_id=before,
                        subject_type=KINDS[kind] if kind else None)
    shown = rows[:HISTORY_PAGE]
    names = names_by_email(actor)
    events = [{"id": e.id, "at": e.at, "actor": e.actor, "name": names.get(e.actor),
               "words": describe_admin_event(e), "href": _subject_page(e)} for e in shown]
    older = shown[-1].id if len(rows) > HISTORY_PAGE else None
    return render_template("admin/history.html", events=events, kind=kind,
                           kinds=KIND_LABELS, older=older, first_page=before is None,
                           unknown_kind=unknown_kind, bad_before=bad_before)


def _subject_page(event: AuditEvent) -> str | None:
    """Where the changed thing can be seen now: a definition version (versions are
    never deleted; the number is the tenant's own)."""
    if event.subject_type == "definition":
        return url_for("web.definition_view", n=event.subject_id)
    return None
