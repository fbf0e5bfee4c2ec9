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
from sqlalchemy import bindparam, delete, select, update
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


def _actor_columns() -> tuple[Any, ...]:
    return (Membership.tenant_id, Tenant.slug, Tenant.name, Membership.user_id, User.email,
            Membership.name, Membership.roles)


def _actor_of(row: Any) -> Actor:
    tenant_id, slug, tenant_name, user_id, email, name, roles = row[:7]
    return Actor(tenant_id=tenant_id, tenant_slug=slug, tenant_name=tenant_name,
                 user_id=user_id, email=email, name=name or email,
                 roles=frozenset(roles or ()))


#: the actor behind a bearer token: built once (a statement's construction and cache
#: key cost about as much as PostgreSQL's answer to it), run with the token's hash
_TOKEN_ACTOR = (
    select(*_actor_columns(), ApiToken.id, ApiToken.last_used_at)
    .select_from(ApiToken)
    .join(Membership, (Membership.tenant_id == ApiToken.tenant_id)
          & (Membership.user_id == ApiToken.user_id))
    .join(User, User.id == ApiToken.user_id)
    .join(Tenant, Tenant.id == ApiToken.tenant_id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           User.active.is_(True)))
#: the actor of a live page session in one tenant, built once like the token's
_SESSION_ACTOR = (
    select(*_actor_columns()).select_from(UserSession)
    .join(Membership, Membership.user_id == UserSession.user_id)
    .join(User, User.id == UserSession.user_id)
    .join(Tenant, Tenant.id == Membership.tenant_id)
    .where(UserSession.key_hash == bindparam("key_hash"),
           UserSession.created_at >= bindparam("since"),
           Membership.tenant_id == bindparam("tenant_id"), User.active.is_(True)))


def actor_from_token(token: str) -> Actor | None:
    """The actor a bearer token stands for, or None when it is unknown or revoked.

    One statement (token, membership, person and tenant joined), and no commit:
    the request's own unit of work continues the transaction this read began, so
    an API write is one transaction. The token's ``last_used_at`` is coarse (every
    five minutes at most), so only that rare request writes it, in a transaction
    of its own."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.connection().execute(  # Core: columns, no objects to track
        _TOKEN_ACTOR, {"token_hash": hash_token(token)}).one_or_none()
    if row is None:
        return None
    actor = _actor_of(row)
    token_id, last_used_at = row[7], row[8]
    now = utcnow()
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        begin_write(db.session())
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id)
                           .values(last_used_at=now))
        db.session.commit()
    return actor


def actor_from_session(tenant_id: int | None, session_key: str | None) -> Actor | None:
    """The actor of a live page session in ``tenant_id``: one statement, like a token."""
    if tenant_id is None or not session_key:
        return None
    row = db.session.connection().execute(_SESSION_ACTOR, {
        "key_hash": hash_token(session_key), "since": utcnow() - SESSION_LIFETIME,
        "tenant_id": tenant_id}).one_or_none()
    return _actor_of(row) if row is not None else None


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
