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


_INVOICING = ("coordinator", "admin")
ALLOWED_ROLES: dict[Action, tuple[str, ...]] = {
    Action.READ_INVOICES: _INVOICING,
    Action.EXPORT_INVOICES: _INVOICING,
    Action.RECONCILE: _INVOICING,
    Action.MANAGE_SECRETS: ("admin",),
    Action.CHECK_DEFINITIONS: ("admin",),
}


def allowed_roles(action: Action) -> tuple[str, ...]:
    return ALLOWED_ROLES[action]


def may(actor: Actor | None, action: Action) -> bool:
    return actor is not None and actor.has_any(*ALLOWED_ROLES[action])


def require(action: Action) -> Callable[[F], F]:
    """403 for actors whose roles the table does not allow ``action`` (views of
    the API and pages alike; the OpenAPI document lists the roles)."""
    return require_roles(*ALLOWED_ROLES[action])
