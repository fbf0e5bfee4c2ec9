"""The message log on pages: the admin's tenant-wide log with filters and a retry,
and the "Messages" box on a case page. Words and queries come from
``services.notification_log``, the same as the API's."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workorders.errors import Conflict
from workorders.platform.auth import current_actor
from workorders.platform.input_guard import MAX_ID
from workorders.platform.models import Notification, NotificationStatus
from workorders.platform.permissions import Action, require
from workorders.platform.services.notification_log import (
    CHANNEL_WORDS,
    PAGE,
    RETRYABLE,
    STATUS_WORDS,
    TROUBLE,
    BadLogFilter,
    LogFilter,
    day_span,
    messages,
    retry_dead,
    source_words,
    status_counts,
    tenant_bundle,
)
from workorders.platform.services.notification_log import retry_message as retry_service
from workorders.platform.web import web
from workorders.platform.web.display import display_zone
from workorders.platform.web.work_forms import safe_back


class RetryForm(FlaskForm):
    """Only the CSRF token: the message is in the URL."""


@web.app_template_global("case_messages")
def case_messages(case_id: int) -> list[Notification]:
    """A case's messages for its page (the newest ``PAGE``)."""
    return messages(current_actor().tenant_id, LogFilter(case_id=case_id))[:PAGE]


def message_source_words(source: str) -> str:
    """``source_words`` with this request's tenant's bundle, read once per request."""
    if "wo_message_bundle" not in g:
        g.wo_message_bundle = tenant_bundle(current_actor().tenant_id)
    return source_words(source, g.wo_message_bundle)


@web.app_context_processor
def _message_words() -> dict[str, Any]:
    return {"channel_words": CHANNEL_WORDS, "message_status_words": STATUS_WORDS,
            "message_source_words": message_source_words, "retryable_messages": RETRYABLE}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None


@web.get("/admin/messages")
@require(Action.MANAGE_MESSAGES)
def message_log() -> Any:
    actor = current_actor()
    status = request.args.get("status") or None
    channel = request.args.get("channel") or None
    if status not in (None, *[s.value for s in NotificationStatus]):
        status = None
    if channel not in (None, *CHANNEL_WORDS):
        channel = None
    search = (request.args.get("q") or "").strip()[:200] or None
    day_from = (request.args.get("from") or "").strip()[:20] or None
    day_to = (request.args.get("to") or "").strip()[:20] or None
    problem = None
    try:
        since, until = day_span(day_from, day_to, display_zone())
    except BadLogFilter as exc:
        problem, since, until = str(exc), None, None
    rows = [] if problem else messages(actor.tenant_id, LogFilter(
        status=status, channel=channel, search=search, since=since, until=until,
        before_id=_int_arg("before")))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template("admin/messages.html", rows=rows, counts=status_counts(
        actor.tenant_id), trouble=TROUBLE, status=status, channel=channel, search=search,
        day_from=day_from, day_to=day_to, problem=problem, statuses=STATUS_WORDS,
        next_before=rows[-1].id if more and rows else None, form=RetryForm()), \
        400 if problem else 200


@web.post("/messages/<int:notification_id>/retry")
@require(Action.MANAGE_MESSAGES)
def message_retry(notification_id: int) -> Any:
    target = safe_back(request.form.get("back"), url_for("web.message_log"))
    if not RetryForm().validate_on_submit():
        flash("The form expired. Reload the page and press Send again.", "error")
        return redirect(target)
    try:
        row = retry_service(current_actor(), notification_id)
    except Conflict as exc:
        flash(f"Nothing was sent: {exc.message}.", "error")
    else:
        flash(f"The message to {row.recipient_name or row.address} is queued again.",
              "success")
    return redirect(target)


@web.post("/admin/messages/retry-dead")
@require(Action.MANAGE_MESSAGES)
def message_retry_dead() -> Any:
    target = url_for("web.message_log")
    if not RetryForm().validate_on_submit():
        flash("The form expired. Reload the page and press Send again.", "error")
        return redirect(target)
    done = retry_dead(current_actor())
    if not done.sent_again:
        flash("No message had given up, so nothing was sent.", "info")
        return redirect(target)
    words = "message is" if done.sent_again == 1 else "messages are"
    more = (f" {done.left} more gave up; press the button again to send them."
            if done.left else "")
    flash(f"{done.sent_again} {words} queued again.{more}", "success")
    return redirect(target)
