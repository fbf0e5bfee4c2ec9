"""Shared pieces of the CLI commands: building the app, showing errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
from flask import Flask

from workorders.errors import WorkordersError

F = TypeVar("F", bound=Callable[..., Any])


def build_app() -> Flask:
    from workorders.platform import create_app

    return create_app()


def friendly_errors(fn: F) -> F:
    """Show our errors as one clear line and exit 1, not as a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WorkordersError as exc:
            click.echo(f"error: {exc.message}", err=True)
            for item in getattr(exc, "errors", None) or []:
                click.echo(f"  {item.get('path', '')}: {item.get('message', '')}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def acting_admin(tenant_slug: str, as_email: str | None, action: Any, doing: str) -> Any:
    """The member a command acts as (``--as``, else one of the tenant's admins), refused
    like the API refuses them when the role table does not allow ``action``. Call it in
    an app context; answers the Actor (its ``tenant_id`` names the tenant)."""
    from workorders.errors import Forbidden
    from workorders.platform.auth import actor_for
    from workorders.platform.permissions import allowed_roles, may
    from workorders.platform.services.accounts import list_members, member_by_email, tenant_by_slug

    tenant_id = tenant_by_slug(tenant_slug).id
    member = (member_by_email(tenant_id, as_email) if as_email else
              next(m for m in list_members(tenant_id) if "admin" in m.roles))
    actor = actor_for(member)
    if not may(actor, action):
        raise Forbidden(f"{actor.email} cannot {doing}: this needs one of the roles: "
                        f"{', '.join(allowed_roles(action))}")
    return actor
