"""The admin history over HTTP: the same events and the same sentences as the
``/admin/history`` page (``services.admin_history``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import page, page_args
from workorders.platform.auth import current_actor
from workorders.platform.models import AuditEvent
from workorders.platform.permissions import Action, require
from workorders.platform.services.admin_history import (
    KINDS,
    admin_events,
    describe_admin_event,
)

HISTORY_QUERY: dict[str, dict[str, Any]] = {
    "kind": {"type": "string", "enum": list(KINDS)},
    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
    "cursor": {"type": "string"},
}


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor,
            "action": event.action, "subject_type": event.subject_type,
            "subject_id": event.subject_id, "words": describe_admin_event(event)}


@api.get("/admin/history")
@require(Action.READ_ADMIN_HISTORY)
@operation("Who changed the workspace: definitions, people, API tokens, secrets and job "
           "retries, newest first", query=HISTORY_QUERY,
           responses={200: "{items: [{id, at, actor, action, subject_type, subject_id, "
                           "words}], next_cursor}"},
           description="`words` is the event as one sentence, as the admin history page "
                       "shows it. Case events are on each case's own history. `kind` "
                       "keeps one kind of event.")
def admin_history() -> Any:
    limit, before = page_args()
    kind = request.args.get("kind")
    rows = admin_events(current_actor().tenant_id, limit=limit + 1, before_id=before,
                        subject_type=KINDS[kind] if kind else None)
    return jsonify(page(rows, limit, event_json))
