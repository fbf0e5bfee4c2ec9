"""Tenants, users and tokens: the bootstrap use cases behind the CLI and pages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.auth import Actor, actor_for, hash_token, new_token
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import enqueue_job
from workorders.platform.models import ROLES, ApiToken, Membership, Tenant, User
from workorders.platform.models.types import utcnow
from workorders.platform.services.login_limits import LoginLimits, count_attempt, forgive_attempt
from workorders.platform.services.passwords import (
    check_password_length,
    hash_password,
    password_matches,
    set_password,
)
from workorders.platform.services.unit_of_work import transaction

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def _clean_member(email: str, roles: Iterable[str], password: str | None) -> tuple[str, list[str]]:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationFailed(f"{email!r} is not an email address",
                               [{"path": "/email", "message": "invalid email"}])
    role_list = _check_roles(roles)
    if password is not None:
        check_password_length(password)
    return email, role_list


def _user_by_email(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _add_membership(session: Session, tenant: Tenant, user: User, roles: list[str],
                    name: str) -> Membership:
    """The membership and its welcome email (which invites a login without a password
    to set one); nothing about the login's other tenants is read or changed."""
    session.flush()
    existing = session.execute(select(Membership).where(
        Membership.tenant_id == tenant.id, Membership.user_id == user.id)).scalar_one_or_none()
    if existing is not None:
        raise Conflict(f"{user.email} is already a member of {tenant.name}")
    membership = Membership(tenant_id=tenant.id, user_id=user.id, roles=roles, name=name.strip())
    session.add(membership)
    session.flush()
    enqueue_job("email.welcome", {"membership_id": membership.id}, tenant_id=tenant.id,
                dedupe_key=f"welcome:{membership.id}")
    return membership


def create_user(tenant_slug: str, email: str, roles: Iterable[str], *,
                password: str | None = None, name: str = "") -> Membership:
    """The instance operator's way in (CLI, demo): add a person to a tenant; the same
    email in a second tenant reuses the login. The operator is trusted, so a password
    given here is set even on an existing login (signing it out everywhere)."""
    email, role_list = _clean_member(email, roles, password)
    tenant = tenant_by_slug(tenant_slug)
    with transaction() as session:
        user = _user_by_email(session, email)
        if user is None:
            user = User(email=email, name=name.strip())
            session.add(user)
            session.flush()
        if password is not None:
            set_password(session, user, hash_password(password))
        membership = _add_membership(session, tenant, user, role_list, name)
    return membership


def add_member(tenant_id: int, email: str, roles: Iterable[str], *,
               password: str | None = None, name: str = "") -> Membership:
    """A tenant admin adds a person. Logins are shared between tenants, so an existing
    login gets only the membership: its password, name and other memberships stay as
    they are, and the answer is the same as for a new login. ``password`` is used only
    for a new login (hashed either way, so both cases take as long)."""
    email, role_list = _clean_member(email, roles, password)
    password_hash = hash_password(password) if password is not None else None
    try:
        return _add_member_once(tenant_id, email, role_list, password_hash, name)
    except IntegrityError:  # another tenant created this login at the same moment
        return _add_member_once(tenant_id, email, role_list, password_hash, name)


def _add_member_once(tenant_id: int, email: str, roles: list[str], password_hash: str | None,
                     name: str) -> Membership:
    with transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("this workspace no longer exists")
        user = _user_by_email(session, email)
        if user is None:
            user = User(email=email, name=name.strip(), password_hash=password_hash)
            session.add(user)
        membership = _add_membership(session, tenant, user, roles, name)
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


def send_welcome_again(tenant_id: int, email: str) -> Membership:
    """Another welcome email for a member of this tenant, e.g. when the set-password
    link of the first one expired; a login with a password is only told to sign in."""
    with transaction():
        membership = member_by_email(tenant_id, email)
        enqueue_job("email.welcome", {"membership_id": membership.id}, tenant_id=tenant_id)
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


def authenticate(email: str, password: str, address: str, limits: LoginLimits) -> list[Actor]:
    """Check a login; answer the tenants (as actors) the person may enter, or []
    for a wrong email or password (indistinguishable, in answer and in time)."""
    email = email.strip().lower()
    count_attempt(email, address, limits)
    user = _user_by_email(db.session(), email)
    if not password_matches(user, password) or user is None:
        return []
    actors = [actor_for(m) for m in sorted(user.memberships, key=lambda m: m.tenant.name)]
    if actors:
        forgive_attempt(email, address, limits.window_seconds)
    return actors
