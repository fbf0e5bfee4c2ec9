"""Who am I, and who is in my tenant (add, change, remove members). The tenant's
background jobs are in ``api/jobs.py``."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.idempotency import idempotent
from workorders.platform.api.inputs import json_body
from workorders.platform.auth import current_actor
from workorders.platform.models import ROLES, Membership
from workorders.platform.permissions import Action, require
from workorders.platform.services.accounts import (
    NAME_MAX,
    add_member,
    list_members,
    member_by_email,
    send_welcome_again,
)
from workorders.platform.services.people import change_member, remove_member

NEW_USER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "roles"],
    "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "name": {"type": "string", "maxLength": 200},
        "roles": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "string", "enum": list(ROLES)}},
        "password": {"type": "string", "minLength": 10, "maxLength": 500},
    },
}

#: roles and name are checked by the service (``people.change_member``), so the API
#: and the people page refuse the same things with the same sentences
CHANGE_USER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "roles": {"type": "array", "items": {"type": "string"},
                  "description": f"The member's roles from now on, at least one of "
                                 f"{', '.join(ROLES)}; the tenant's last admin keeps "
                                 "the admin role"},
        "name": {"type": "string",
                 "description": f"The name this tenant shows, at most {NAME_MAX} characters"},
    },
}


def member_json(m: Membership) -> dict[str, Any]:
    """The name is the one this tenant gave: a login's name elsewhere is not ours to show."""
    return {"email": m.user.email, "name": m.name, "roles": list(m.roles),
            "active": m.user.active}


@api.get("/me")
@operation("The authenticated user, tenant and roles")
def me() -> Any:
    actor = current_actor()
    return jsonify(email=actor.email, name=actor.name, roles=sorted(actor.roles),
                   tenant={"slug": actor.tenant_slug, "name": actor.tenant_name})


@api.get("/users")
@operation("Members of the tenant with their roles")
def list_users() -> Any:
    return jsonify(items=[member_json(m) for m in list_members(current_actor().tenant_id)],
                   next_cursor=None)


@api.post("/users")
@require(Action.MANAGE_PEOPLE)
@idempotent
@operation("Add a person to the tenant with roles. A new login is invited by email to set "
           "its password (or takes `password`); an existing login keeps its password and "
           "name and is told it was added. The answer is the same either way.",
           body=NEW_USER_SCHEMA, responses={201: "Created", 409: "Already a member"})
def add_user() -> Any:
    body = json_body(NEW_USER_SCHEMA)
    actor = current_actor()
    membership = add_member(actor.tenant_id, body["email"], body["roles"], actor=actor.email,
                            password=body.get("password"), name=body.get("name", ""))
    return jsonify(member_json(membership)), 201


@api.post("/users/<email>/invitation")
@require(Action.MANAGE_PEOPLE)
@operation("Send a member the welcome email again: a new set-password link while they have "
           "no password (links expire after 7 days), else a reminder to sign in",
           responses={202: "Email queued", 404: "No such member"})
def resend_invitation(email: str) -> Any:
    actor = current_actor()
    membership = send_welcome_again(actor.tenant_id, email, actor=actor.email)
    return jsonify(member_json(membership)), 202


@api.patch("/users/<email>")
@require(Action.MANAGE_PEOPLE)
@operation("Change a member's roles and/or the name this tenant shows for them (audited as "
           "member.roles_changed). Taking the admin role from the tenant's last admin, "
           "oneself included, answers 409", body=CHANGE_USER_SCHEMA,
           responses={200: "The member as changed: {email, name, roles, active}",
                      404: "No such member", 409: "The last admin would lose the role",
                      422: "Unknown or no roles, a name too long, or nothing to change"})
def update_user(email: str) -> Any:
    body = json_body(CHANGE_USER_SCHEMA)
    actor = current_actor()
    membership = change_member(actor.tenant_id, email, actor=actor.email,
                               roles=body.get("roles"), name=body.get("name"))
    return jsonify(member_json(membership))


@api.delete("/users/<email>")
@require(Action.MANAGE_PEOPLE)
@operation("Remove a member from the tenant (audited as member.removed): their API tokens "
           "in this tenant are revoked and their browser sessions stop opening its pages "
           "at once; their login and other tenants stay. The last admin cannot be removed, "
           "not even by themselves (409)",
           responses={204: "Removed", 404: "No such member",
                      409: "The tenant's last admin cannot be removed"})
def delete_user(email: str) -> Any:
    actor = current_actor()
    remove_member(actor.tenant_id, email, actor=actor.email)
    return "", 204


@api.get("/users/<email>")
@operation("One member of the tenant", responses={200: "OK", 404: "No such member"})
def get_user(email: str) -> Any:
    return jsonify(member_json(member_by_email(current_actor().tenant_id, email)))
