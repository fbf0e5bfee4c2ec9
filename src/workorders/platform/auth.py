"""Who is asking: the one place that resolves the current tenant and user.

The API authenticates by bearer token (the tenant comes from the token, never
from the URL or body); pages by the session cookie. Both produce an ``Actor``
kept on ``flask.g``; every view and service takes the tenant from it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g
from sqlalchemy import select, update

from workorders.platform.database import begin_write
from workorders.platform.extensions import db
from workorders.platform.models import ApiToken, Membership, Tenant, User
from workorders.platform.models.types import utcnow
from workorders.platform.problems import Forbidden

F = TypeVar("F", bound=Callable[..., Any])
TOKEN_PREFIX = "wo_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Actor:
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    user_id: int
    email: str
    name: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def actor_for(membership: Membership) -> Actor:
    return Actor(
        tenant_id=membership.tenant_id,
        tenant_slug=membership.tenant.slug,
        tenant_name=membership.tenant.name,
        user_id=membership.user_id,
        email=membership.user.email,
        name=membership.user.name or membership.user.email,
        roles=frozenset(membership.roles or ()),
    )


def _membership(tenant_id: int, user_id: int) -> Membership | None:
    stmt = (select(Membership).join(User).join(Tenant)
            .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id,
                   User.active.is_(True)))
    return db.session.execute(stmt).scalar_one_or_none()


def actor_from_token(token: str) -> Actor | None:
    """The actor a bearer token stands for, or None when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    membership = _membership(row.tenant_id, row.user_id)
    if membership is None:
        return None
    actor = actor_for(membership)
    now = utcnow()
    stale = row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION
    if stale:  # coarse, so reads do not each cost a write
        begin_write(db.session())
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id)
                           .values(last_used_at=now))
    db.session.commit()
    return actor


def actor_from_session(tenant_id: int | None, user_id: int | None) -> Actor | None:
    if tenant_id is None or user_id is None:
        return None
    membership = _membership(tenant_id, user_id)
    return actor_for(membership) if membership else None


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:  # pragma: no cover - views are always behind authentication
        raise RuntimeError("no authenticated actor on this request")
    return cast(Actor, actor)


def require_roles(*roles: str) -> Callable[[F], F]:
    """Allow the view only to actors holding one of ``roles`` (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if not actor.has_any(*roles):
                raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate
