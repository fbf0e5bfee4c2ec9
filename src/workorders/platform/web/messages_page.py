"""A staff member's Messages page: their in-app messages (the bell's count), and how
they want each kind of message (email and/or in the app). GET never changes
anything; reading goes through POST with the CSRF token."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workorders.errors import ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.input_guard import MAX_ID
from workorders.platform.services.staff_messages import (
    PAGE,
    inbox,
    mark_read,
    open_message,
    save_settings,
    settings_of,
)
from workorders.platform.web import web
from workorders.platform.web.message_log import message_source_words


class _Csrf(FlaskForm):
    """Only the CSRF token."""


@web.get("/messages")
def messages_page() -> Any:
    actor = current_actor()
    raw = request.args.get("before", "")
    before = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    rows = inbox(actor, before_id=before)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template("messages.html", rows=rows, settings=settings_of(actor),
                           next_before=rows[-1].id if more and rows else None,
                           source_words=message_source_words)


@web.post("/messages/read")
def messages_read() -> Any:
    if _Csrf().validate_on_submit():
        count = mark_read(current_actor(), None)
        flash(f"Marked {count} message{'' if count == 1 else 's'} as read.", "success")
    else:
        flash("The form expired. Reload the page and try again.", "error")
    return redirect(url_for("web.messages_page"))


@web.post("/messages/<int:notification_id>/open")
def message_open(notification_id: int) -> Any:
    if not _Csrf().validate_on_submit():
        flash("The form expired. Reload the page and try again.", "error")
        return redirect(url_for("web.messages_page"))
    row = open_message(current_actor(), notification_id)
    if row.case_id is not None:
        return redirect(url_for("web.case_page", case_id=row.case_id))
    return redirect(url_for("web.messages_page"))


@web.post("/messages/settings")
def message_settings() -> Any:
    if not _Csrf().validate_on_submit():
        flash("The form expired. Reload the page and try again.", "error")
        return redirect(url_for("web.messages_page"))
    actor = current_actor()
    wanted = {s.kind: {"email": f"{s.kind}-email" in request.form,
                       "in_app": f"{s.kind}-in_app" in request.form}
              for s in settings_of(actor)}
    try:
        save_settings(actor, wanted)
    except ValidationFailed as exc:  # pragma: no cover - the page sends known kinds only
        flash(str(exc), "error")
    else:
        flash("Your message settings are saved.", "success")
    return redirect(url_for("web.messages_page") + "#settings")
