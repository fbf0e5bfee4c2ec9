"""The tenant's API tokens over HTTP: list, create (the text is answered once), revoke.

Tokens act as a member, so managing them is an admin's (``Action.MANAGE_TOKENS``).
A creating POST honours ``Idempotency-Key`` like every other, but the token's text
is not stored for the replay: a retry with the same key and body answers the same
token (same id, same status) without its text, and says what to do if it was lost.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.idempotency import idempotent, replay_answer
from workorders.platform.api.inputs import json_body
from workorders.platform.auth import current_actor
from workorders.platform.models import ApiToken
from workorders.platform.permissions import Action, require
from workorders.platform.services.api_tokens import LABEL_MAX, issue_token, revoke, tokens_of

NEW_TOKEN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["label"],
    "properties": {
        "label": {"type": "string",
                  "description": f"What the token is for (1-{LABEL_MAX} characters), so "
                                 "whoever revokes it knows what stops working"},
        "user": {"type": "string",
                 "description": "The email of the member the token acts as (default: you)"},
    },
}
LOST_TEXT = ("the token's text is shown only in the first answer; if it was lost, revoke "
             "this token and create a new one")


def token_json(token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "label": token.label, "prefix": token.prefix,
            "user": token.user.email, "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            "active": token.revoked_at is None}


@api.get("/tokens")
@require(Action.MANAGE_TOKENS)
@operation("The tenant's API tokens, newest first, revoked ones included: label, first "
           "characters, the member each acts as, when it was created and last used "
           "(to within 5 minutes); never the token itself")
def list_api_tokens() -> Any:
    return jsonify(items=[token_json(t) for t in tokens_of(current_actor().tenant_id)],
                   next_cursor=None)


@api.post("/tokens")
@require(Action.MANAGE_TOKENS)
@idempotent
@operation("Create an API token acting as a member of the tenant (audited as "
           "token.created). The answer's `token` is the only time its text is shown; a "
           "replay of the request (same Idempotency-Key and body) answers the same token "
           "with `token: null`", body=NEW_TOKEN_SCHEMA,
           responses={201: "Created: {id, label, prefix, user, created_at, last_used_at, "
                           "revoked_at, active, token}",
                      422: "No label, a label too long, or the user is not a member"})
def create_api_token() -> Any:
    body = json_body(NEW_TOKEN_SCHEMA)
    actor = current_actor()
    token, plain = issue_token(actor.tenant_id, body.get("user") or actor.email,
                               body["label"], actor=actor.email)
    described = token_json(token)
    replay_answer({**described, "token": None, "detail": LOST_TEXT})
    return jsonify({**described, "token": plain}), 201


@api.delete("/tokens/<int:token_id>")
@require(Action.MANAGE_TOKENS)
@operation("Revoke an API token: it stops working at once (audited as token.revoked); "
           "revoking a revoked token changes nothing",
           responses={204: "Revoked", 404: "No such token in this tenant"})
def revoke_api_token(token_id: int) -> Any:
    actor = current_actor()
    revoke(actor.tenant_id, token_id, actor=actor.email)
    return "", 204
