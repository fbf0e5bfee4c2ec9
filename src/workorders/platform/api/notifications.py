"""The message log over HTTP: the tenant's messages, one case's, and a retry. Same
service as the pages (``services.notification_log``), so both answer alike."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import page, page_args
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Case, NotificationStatus
from workorders.platform.permissions import Action, require
from workorders.platform.problems import ApiProblem
from workorders.platform.services.notification_log import (
    CHANNEL_WORDS,
    MAX_BULK_RETRY,
    BadLogFilter,
    LogFilter,
    day_span,
    message_json,
    messages,
    retry_dead,
    retry_message,
)
from workorders.platform.web.display import display_zone

FILTERS: dict[str, dict[str, Any]] = {
    "status": {"type": "string", "enum": [s.value for s in NotificationStatus]},
    "channel": {"type": "string", "enum": list(CHANNEL_WORDS)},
    "q": {"type": "string", "maxLength": 200},
    "from": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
             "description": "created on or after this day (the tenant's time zone)"},
    "to": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
           "description": "created on or before this day (the tenant's time zone)"}}


def _filter(case_id: int | None = None) -> LogFilter:
    """The query's filters and page, as the service reads them."""
    limit, after = page_args()
    try:
        since, until = day_span(request.args.get("from"), request.args.get("to"),
                                display_zone())
    except BadLogFilter as exc:
        raise ApiProblem(422, "Invalid data", str(exc)) from None
    return LogFilter(status=request.args.get("status"), channel=request.args.get("channel"),
                     search=request.args.get("q"), case_id=case_id, since=since,
                     until=until, before_id=after, limit=limit)


@api.get("/notifications")
@require(Action.MANAGE_MESSAGES)
@operation("The tenant's message log, newest first: who was sent what, on which channel, "
           "and how it went", query=FILTERS)
def list_notifications() -> Any:
    wanted = _filter()
    rows = messages(current_actor().tenant_id, wanted)
    return jsonify(page(rows, wanted.limit, message_json))


@api.get("/cases/<int:case_id>/notifications")
@require(Action.MANAGE_MESSAGES)
@operation("One case's messages, newest first", query=FILTERS,
           responses={200: "OK", 404: "No such case"})
def case_notifications(case_id: int) -> Any:
    actor = current_actor()
    get_for_tenant(Case, case_id, actor.tenant_id)
    wanted = _filter(case_id)
    rows = messages(actor.tenant_id, wanted)
    return jsonify(page(rows, wanted.limit, message_json))


@api.post("/notifications/<int:notification_id>/retry")
@require(Action.MANAGE_MESSAGES)
@operation("Send a failed, dead or throttled message again, now",
           responses={202: "The message, queued again", 404: "No such message",
                      409: "The message was sent, is on its way, or was not sent on "
                           "purpose (opted out, no address)"},
           description="Audited on the case (`notification.retried`). A throttled message "
                       "faces the hourly limit again.")
def retry_notification(notification_id: int) -> Any:
    row = retry_message(current_actor(), notification_id)
    return jsonify(message_json(row)), 202


@api.post("/notifications/retry-dead")
@require(Action.MANAGE_MESSAGES)
@operation("Send every message of the tenant that gave up again, now",
           responses={200: "How many were queued again"},
           produces={"application/json": {
               "type": "object", "required": ["sent_again", "left"],
               "properties": {"sent_again": {"type": "integer", "minimum": 0},
                              "left": {"type": "integer", "minimum": 0}}}},
           description=f"The oldest {MAX_BULK_RETRY} at most per call (`left` counts the "
                       "rest); each is audited like one retry. None that gave up: 0.")
def retry_dead_notifications() -> Any:
    done = retry_dead(current_actor())
    return jsonify({"sent_again": done.sent_again, "left": done.left})
