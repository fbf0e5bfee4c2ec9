"""Tenants, users and tokens: the bootstrap use cases behind the CLI and pages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.auth import Actor, actor_for, hash_token, new_token
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import enqueue_job
from workorders.platform.models import ROLES, ApiToken, LoginAttempt, Membership, Tenant, User
from workorders.platform.models.types import utcnow
from workorders.platform.problems import RateLimited
from workorders.platform.services.unit_of_work import transaction

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


class TooManyAttempts(RateLimited):
    """Too many failed logins in the window (HTTP 429)."""


def create_tenant(slug: str, name: str) -> Tenant:
    if not SLUG_RE.match(slug):
        raise ValidationFailed(
            f"tenant slug {slug!r} must be 2-63 lowercase letters, digits or '-', "
            "starting with a letter", [{"path": "/slug", "message": "invalid slug"}])
    with transaction() as session:
        if session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none():
            raise Conflict(f"tenant {slug!r} already exists")
        tenant = Tenant(slug=slug, name=name.strip() or slug)
        session.add(tenant)
    return tenant


def tenant_by_slug(slug: str) -> Tenant:
    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise NotFound(f"tenant {slug!r} not found")
    return tenant


def _check_roles(roles: Iterable[str]) -> list[str]:
    wanted = sorted(set(roles))
    unknown = [r for r in wanted if r not in ROLES]
    if unknown or not wanted:
        raise ValidationFailed(
            f"roles must be among {', '.join(ROLES)}; got {', '.join(unknown) or 'none'}",
            [{"path": "/roles", "message": "unknown role"}])
    return wanted


def create_user(tenant_slug: str, email: str, roles: Iterable[str], *,
                password: str | None = None, name: str = "") -> Membership:
    """Add a person to a tenant with roles; the same email in a second tenant
    reuses the login. A welcome email goes out through the outbox."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationFailed(f"{email!r} is not an email address",
                               [{"path": "/email", "message": "invalid email"}])
    role_list = _check_roles(roles)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"passwords need at least {MIN_PASSWORD_LENGTH} characters",
                               [{"path": "/password", "message": "too short"}])
    tenant = tenant_by_slug(tenant_slug)
    with transaction() as session:
        user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            user = User(email=email, name=name.strip())
            session.add(user)
        if password is not None:
            user.password_hash = generate_password_hash(
                password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
        session.flush()
        existing = session.execute(select(Membership).where(
            Membership.tenant_id == tenant.id, Membership.user_id == user.id)).scalar_one_or_none()
        if existing is not None:
            raise Conflict(f"{email} is already a member of {tenant_slug}")
        membership = Membership(tenant_id=tenant.id, user_id=user.id, roles=role_list)
        session.add(membership)
        session.flush()
        enqueue_job("email.welcome", {"membership_id": membership.id}, tenant_id=tenant.id,
                    dedupe_key=f"welcome:{membership.id}")
    return membership


def list_members(tenant_id: int) -> list[Membership]:
    stmt = (select(Membership).join(User).where(Membership.tenant_id == tenant_id)
            .order_by(User.email))
    return list(db.session.execute(stmt).scalars())


def member_by_email(tenant_id: int, email: str) -> Membership:
    stmt = select(Membership).join(User).where(
        Membership.tenant_id == tenant_id, User.email == email.strip().lower())
    membership = db.session.execute(stmt).scalar_one_or_none()
    if membership is None:
        raise NotFound(f"no user {email!r} in this tenant")
    return membership


def create_token(tenant_slug: str, email: str, label: str = "") -> tuple[ApiToken, str]:
    """A new API token; the plain text is returned once and never stored."""
    tenant = tenant_by_slug(tenant_slug)
    membership = member_by_email(tenant.id, email)
    plain = new_token()
    with transaction() as session:
        token = ApiToken(tenant_id=tenant.id, user_id=membership.user_id,
                         token_hash=hash_token(plain), prefix=plain[:10], label=label)
        session.add(token)
    return token, plain


def revoke_token(tenant_slug: str, token_id_or_prefix: str) -> ApiToken:
    tenant = tenant_by_slug(tenant_slug)
    cond = (ApiToken.id == int(token_id_or_prefix) if token_id_or_prefix.isdigit()
            else ApiToken.prefix == token_id_or_prefix[:10])
    with transaction() as session:
        token = session.execute(select(ApiToken).where(
            ApiToken.tenant_id == tenant.id, cond)).scalar_one_or_none()
        if token is None:
            raise NotFound(f"no token {token_id_or_prefix!r} in {tenant_slug}")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    return token


def list_tokens(tenant_slug: str) -> list[ApiToken]:
    tenant = tenant_by_slug(tenant_slug)
    return list(db.session.execute(select(ApiToken).where(
        ApiToken.tenant_id == tenant.id).order_by(ApiToken.id)).scalars())


def authenticate(email: str, password: str, client: str, *, limit: int,
                 window_seconds: int) -> list[Actor]:
    """Check a login; answer the tenants (as actors) the person may enter.

    Failed attempts are counted per email and per client address; past ``limit``
    within the window every attempt is refused, right or wrong, so guessing stops.
    """
    email = email.strip().lower()
    since = utcnow() - timedelta(seconds=window_seconds)
    keys = [f"email:{email}", f"client:{client}"]
    with transaction() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
        for key in keys:
            count = session.execute(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.key == key, LoginAttempt.at >= since)).scalar_one()
            if count >= limit:
                raise TooManyAttempts("too many failed logins; wait a few minutes and try again")
        user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        ok = (user is not None and user.active and user.password_hash is not None
              and check_password_hash(user.password_hash, password))
        if not ok or user is None:
            for key in keys:
                session.add(LoginAttempt(key=key))
            return []
        return [actor_for(m) for m in sorted(user.memberships, key=lambda m: m.tenant.name)]
