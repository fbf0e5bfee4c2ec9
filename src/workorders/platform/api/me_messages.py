"""A person's in-app messages and message settings over HTTP: the same service as the
Messages page (``services.staff_messages``), so both accept and refuse alike."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from workorders.definitions.model import Bundle
from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import json_body, page, page_args
from workorders.platform.auth import current_actor
from workorders.platform.models import Notification
from workorders.platform.services.notification_log import source_words, tenant_bundle
from workorders.platform.services.notifications import STAFF_KINDS
from workorders.platform.services.staff_messages import (
    inbox,
    mark_read,
    save_settings,
    settings_of,
    unread_count,
)

READ_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {"ids": {"type": "array", "maxItems": 500,
                           "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
                   "all": {"type": "boolean", "const": True}},
    "oneOf": [{"required": ["ids"]}, {"required": ["all"]}]}
SETTING = {"type": "object", "additionalProperties": False,
           "properties": {"email": {"type": "boolean"}, "in_app": {"type": "boolean"}}}
SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {kind: SETTING for kind in STAFF_KINDS}}


def _message(row: Notification, bundle: Bundle | None) -> dict[str, Any]:
    return {"id": row.id, "case_id": row.case_id, "subject": row.subject, "text": row.body,
            "about": source_words(row.source, bundle),
            "sent_at": (row.sent_at or row.created_at).isoformat(),
            "read": row.read_at is not None}


@api.get("/me/messages")
@operation("My in-app messages in this workspace, newest first, and how many are unread")
def my_messages() -> Any:
    actor = current_actor()
    limit, after = page_args()
    bundle = tenant_bundle(actor.tenant_id)
    body = page(inbox(actor, before_id=after, limit=limit), limit,
                lambda row: _message(row, bundle))
    return jsonify({**body, "unread": unread_count(actor)})


@api.post("/me/messages/read")
@operation("Mark some of my messages (ids) or all of them read", body=READ_SCHEMA,
           responses={200: "How many changed, and how many stay unread"})
def my_messages_read() -> Any:
    data = json_body(READ_SCHEMA)
    actor = current_actor()
    changed = mark_read(actor, None if data.get("all") else list(data["ids"]))
    return jsonify({"marked": changed, "unread": unread_count(actor)})


@api.get("/me/message-settings")
@operation("How I get each kind of message: by email, in the app, or both")
def my_message_settings() -> Any:
    return jsonify({"items": [asdict(s) for s in settings_of(current_actor())]})


@api.put("/me/message-settings")
@operation("Change how I get some kinds of message", body=SETTINGS_SCHEMA,
           responses={200: "The settings now"})
def put_my_message_settings() -> Any:
    saved = save_settings(current_actor(), json_body(SETTINGS_SCHEMA))
    return jsonify({"items": [asdict(s) for s in saved]})
