"""Who is asking: the one place that resolves the current tenant and user.

The API authenticates by bearer token (the tenant comes from the token, never
from the URL or body); pages by the session cookie. Both produce an ``Actor``
kept on ``flask.g``; every view and service takes the tenant from it.

A session cookie carries a random key whose hash must still be a row of
``user_sessions``: signing alone cannot be taken back, a deleted row can, so
logging out and changing a password end sessions on the server.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from workorders.platform.actor import Actor
from workorders.platform.database import begin_write
from workorders.platform.extensions import db
from workorders.platform.models import ApiToken, Membership, Tenant, User, UserSession
from workorders.platform.models.types import utcnow
from workorders.platform.problems import Forbidden

F = TypeVar("F", bound=Callable[..., Any])
TOKEN_PREFIX = "wo_"
LAST_USED_RESOLUTION = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(days=14)  # then sign in again, even if never signed out


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
        name=membership.name or membership.user.email,
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


def session_user_id(session_key: str | None) -> int | None:
    """Whose live session ``session_key`` is; None once ended or expired."""
    if not session_key:
        return None
    return db.session.execute(select(UserSession.user_id).where(
        UserSession.key_hash == hash_token(session_key),
        UserSession.created_at >= utcnow() - SESSION_LIFETIME)).scalar_one_or_none()


def actor_from_session(tenant_id: int | None, session_key: str | None) -> Actor | None:
    user_id = session_user_id(session_key)
    if tenant_id is None or user_id is None:
        return None
    membership = _membership(tenant_id, user_id)
    return actor_for(membership) if membership else None


def start_session(user_id: int) -> str:
    """A new session for a person who just proved who they are; answers the cookie's key."""
    key = secrets.token_urlsafe(32)
    begin_write(db.session())
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user_id, UserSession.created_at < utcnow() - SESSION_LIFETIME))
    db.session.add(UserSession(user_id=user_id, key_hash=hash_token(key)))
    db.session.commit()
    return key


def end_session(session_key: str | None) -> None:
    if session_key:
        begin_write(db.session())
        db.session.execute(delete(UserSession).where(
            UserSession.key_hash == hash_token(session_key)))
        db.session.commit()


def end_sessions_of(session: Session, user_id: int) -> None:
    """Sign a person out everywhere, inside the caller's transaction (a password change)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


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
