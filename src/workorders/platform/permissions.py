"""Which roles may do what, in one table that the API routes, the pages and the
services all ask: a person's bearer token must never read what their pages
refuse them, and the two drifted apart while each kept its own list."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from workorders.platform.auth import Actor, require_roles

F = TypeVar("F", bound=Callable[..., Any])


class Action(Enum):
    #: export lists, one export, its exact bytes, a case's invoice document
    READ_INVOICES = "read invoices"
    EXPORT_INVOICES = "export invoices"
    RECONCILE = "read reconciliation"
    #: set, replace, delete and list the tenant's signing secrets (never their values)
    MANAGE_SECRETS = "manage tenant secrets"
    #: validate, store, publish and simulate bundles: each runs the bundle's own
    #: templates and golden tests on the server, so only the tenant's admins may
    CHECK_DEFINITIONS = "check and publish definitions"
    #: invite people, change their roles, remove them from the tenant
    MANAGE_PEOPLE = "manage people"
    #: create, list and revoke the tenant's API tokens (a token acts as its user)
    MANAGE_TOKENS = "manage API tokens"
    #: see failed and dead background jobs and deliveries, and retry them
    MANAGE_JOBS = "retry jobs and deliveries"
    #: read who changed the workspace (definitions, people, tokens, secrets, jobs)
    READ_ADMIN_HISTORY = "read the admin history"
    # --- helper 3: the admin workspace's home page and its "Admin" menu item ---
    #: open /admin, the workspace's front page linking every admin page
    ADMIN_WORKSPACE = "open the admin workspace"
    #: read the message log (who was sent what) and send a failed message again
    MANAGE_MESSAGES = "read the message log and retry messages"


_INVOICING = ("coordinator", "admin")
ALLOWED_ROLES: dict[Action, tuple[str, ...]] = {
    Action.READ_INVOICES: _INVOICING,
    Action.EXPORT_INVOICES: _INVOICING,
    Action.RECONCILE: _INVOICING,
    Action.MANAGE_SECRETS: ("admin",),
    Action.CHECK_DEFINITIONS: ("admin",),
    Action.MANAGE_PEOPLE: ("admin",),
    Action.MANAGE_TOKENS: ("admin",),
    Action.MANAGE_JOBS: ("admin",),
    Action.READ_ADMIN_HISTORY: ("admin",),
    Action.ADMIN_WORKSPACE: ("admin",),  # helper 3
    Action.MANAGE_MESSAGES: _INVOICING,
}


def allowed_roles(action: Action) -> tuple[str, ...]:
    return ALLOWED_ROLES[action]


def may(actor: Actor | None, action: Action) -> bool:
    return actor is not None and actor.has_any(*ALLOWED_ROLES[action])


def require(action: Action) -> Callable[[F], F]:
    """403 for actors whose roles the table does not allow ``action`` (views of
    the API and pages alike; the OpenAPI document lists the roles)."""
    return require_roles(*ALLOWED_ROLES[action])
