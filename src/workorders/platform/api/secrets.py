"""The tenant's secrets over HTTP: set or replace, delete, and list by name.

A value goes in and never comes out: no answer (not even an error about the
value) repeats it, so it cannot end up in logs, proxies or browser history.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import json_body
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.problems import ApiProblem
from workorders.platform.services.tenant_secrets import (
    SECRET_VALUE_MAX,
    SecretInfo,
    delete_secret,
    list_secrets,
    set_secret,
)

SECRET_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value"],
    "properties": {"value": {"type": "string", "minLength": 1, "maxLength": SECRET_VALUE_MAX,
                             "description": "The secret; it is stored sealed and never shown "
                                            "again"}},
}


def secret_json(info: SecretInfo) -> dict[str, Any]:
    return {"name": info.name, "set": info.is_set,
            "created_at": info.created_at.isoformat() if info.created_at else None,
            "created_by": info.created_by,
            "updated_at": info.updated_at.isoformat() if info.updated_at else None,
            "updated_by": info.updated_by, "used_by": list(info.used_by)}


def _value() -> str:
    """The body's ``value``, checked without ever quoting it back."""
    body = json_body()
    unknown = sorted(set(body) - {"value"})
    if unknown:
        raise ApiProblem(422, "Invalid data", f"unexpected field(s): {', '.join(unknown)}; "
                         "send {\"value\": \"<the secret>\"}",
                         errors=[{"path": f"/{k}", "message": "not an accepted field"}
                                 for k in unknown])
    value = body.get("value")
    if not isinstance(value, str):
        raise ApiProblem(422, "Invalid data", "send {\"value\": \"<the secret>\"} with the "
                         "secret as a JSON string",
                         errors=[{"path": "/value", "message": "expected a string"}])
    return value


@api.get("/secrets")
@require(Action.MANAGE_SECRETS)
@operation("The tenant's secrets by name (never their values): who set them when, and "
           "which connectors and webhooks of the published bundle sign with them; a name "
           "the published bundle uses but the tenant has not set is listed with set: false")
def list_tenant_secrets() -> Any:
    return jsonify(items=[secret_json(i) for i in list_secrets(current_actor().tenant_id)],
                   next_cursor=None)


@api.put("/secrets/<name>")
@require(Action.MANAGE_SECRETS)
@operation("Set or replace one of the tenant's secrets (audited; the value is never shown "
           "again)", body=SECRET_BODY,
           responses={200: "Replaced: {name, set, updated_at, updated_by, used_by}",
                      201: "Created", 422: "The name or the value breaks the rules"})
def put_tenant_secret(name: str) -> Any:
    actor = current_actor()
    info, created = set_secret(actor.tenant_id, name, _value(), actor.email)
    return jsonify(secret_json(info)), 201 if created else 200


@api.delete("/secrets/<name>")
@require(Action.MANAGE_SECRETS)
@operation("Delete one of the tenant's secrets (audited); deliveries that sign with it "
           "fail until it is set again", responses={204: "Deleted", 404: "No such secret"})
def delete_tenant_secret(name: str) -> Any:
    actor = current_actor()
    delete_secret(actor.tenant_id, name, actor.email)
    return "", 204
