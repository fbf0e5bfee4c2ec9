"""Tenants, users and tokens: the bootstrap use cases behind the CLI and pages.

Adding a person and inviting them again are audited (``member.added``,
``member.invited``, subject the login's id) in the tenant's chain; changing and
removing members is in ``services/people.py``, API tokens in
``services/api_tokens.py``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.auth import Actor, actor_for
from workorders.platform.database import lock_tenant
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import enqueue_job
from workorders.platform.models import ROLES, ApiToken, Membership, Tenant, User
from workorders.platform.services.audit import record_event
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
EMAIL_MAX = 254
NAME_MAX = 200
#: who the audit trail names for the instance operator's commands (CLI, demo loader)
OPERATOR = "operator"
#: one audit chain per person in a tenant: subject ``member``, id the login's id
MEMBER_SUBJECT = "member"


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


def check_roles(roles: Iterable[str]) -> list[str]:
    """At least one role, each a known one: a member without a role could sign in
    and see nothing, which reads as a bug rather than a decision."""
    wanted = sorted(set(roles))
    unknown = [r for r in wanted if r not in ROLES]
    if not wanted:
        raise ValidationFailed(f"choose at least one role ({', '.join(ROLES)})",
                               [{"path": "/roles", "message": "no role chosen"}])
    if unknown:
        raise ValidationFailed(
            f"{', '.join(repr(r) for r in unknown)} is not a role; roles are "
            f"{', '.join(ROLES)}", [{"path": "/roles", "message": "unknown role"}])
    return wanted


def check_name(name: str) -> str:
    """A person's name as this tenant shows it: one line, at most 200 characters."""
    name = name.strip()
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"the name is longer than {NAME_MAX} characters",
                               [{"path": "/name", "message": "too long"}])
    if any(not c.isprintable() for c in name):
        raise ValidationFailed("the name contains a line break or another control character",
                               [{"path": "/name", "message": "control character"}])
    return name


def _clean_member(email: str, roles: Iterable[str], password: str | None,
                  name: str = "") -> tuple[str, list[str], str]:
    email = email.strip().lower()
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        shown = email if len(email) <= 60 else email[:60] + "…"
        raise ValidationFailed(f"{shown!r} is not an email address",
                               [{"path": "/email", "message": "invalid email"}])
    role_list = check_roles(roles)
    if password is not None:
        check_password_length(password)
    return email, role_list, check_name(name)


def _user_by_email(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _add_membership(session: Session, tenant: Tenant, user: User, roles: list[str],
                    name: str, actor: str) -> Membership:
    """The membership, its audit event and its welcome email (which invites a login
    without a password to set one); nothing about the login's other tenants is read
    or changed."""
    lock_tenant(tenant.id)  # one audit chain per tenant
    session.flush()
    existing = session.execute(select(Membership).where(
        Membership.tenant_id == tenant.id, Membership.user_id == user.id)).scalar_one_or_none()
    if existing is not None:
        raise Conflict(f"{user.email} is already a member of {tenant.name}")
    membership = Membership(tenant_id=tenant.id, user_id=user.id, roles=roles, name=name.strip())
    session.add(membership)
    session.flush()
    record_event(session, tenant_id=tenant.id, subject_type=MEMBER_SUBJECT, subject_id=user.id,
                 actor=actor, action="member.added",
                 after={"email": user.email, "name": membership.name, "roles": roles})
    enqueue_job("email.welcome", {"membership_id": membership.id}, tenant_id=tenant.id,
                dedupe_key=f"welcome:{membership.id}")
    return membership


def create_user(tenant_slug: str, email: str, roles: Iterable[str], *,
                password: str | None = None, name: str = "") -> Membership:
    """The instance operator's way in (CLI, demo): add a person to a tenant; the same
    email in a second tenant reuses the login. The operator is trusted, so a password
    given here is set even on an existing login (signing it out everywhere)."""
    email, role_list, name = _clean_member(email, roles, password, name)
    tenant = tenant_by_slug(tenant_slug)
    with transaction() as session:
        user = _user_by_email(session, email)
        if user is None:
            user = User(email=email, name=name.strip())
            session.add(user)
            session.flush()
        if password is not None:
            set_password(session, user, hash_password(password))
        membership = _add_membership(session, tenant, user, role_list, name, OPERATOR)
    return membership


def add_member(tenant_id: int, email: str, roles: Iterable[str], *, actor: str,
               password: str | None = None, name: str = "") -> Membership:
    """A tenant admin (``actor``, their email) adds a person. Logins are shared between
    tenants, so an existing login gets only the membership: its password, name and
    other memberships stay as they are, and the answer is the same as for a new login.
    ``password`` is used only for a new login (hashed either way, so both cases take
    as long); the people page never sends one."""
    email, role_list, name = _clean_member(email, roles, password, name)
    password_hash = hash_password(password) if password is not None else None
    try:
        return _add_member_once(tenant_id, email, role_list, password_hash, name, actor)
    except IntegrityError:  # another tenant created this login at the same moment
        return _add_member_once(tenant_id, email, role_list, password_hash, name, actor)


def _add_member_once(tenant_id: int, email: str, roles: list[str], password_hash: str | None,
                     name: str, actor: str) -> Membership:
    with transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("this workspace no longer exists")
        user = _user_by_email(session, email)
        if user is None:
            user = User(email=email, name=name.strip(), password_hash=password_hash)
            session.add(user)
        membership = _add_membership(session, tenant, user, roles, name, actor)
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


def send_welcome_again(tenant_id: int, email: str, *, actor: str) -> Membership:
    """Another welcome email for a member of this tenant, e.g. when the set-password
    link of the first one expired; a login with a password is only told to sign in."""
    with transaction() as session:
        lock_tenant(tenant_id)
        membership = member_by_email(tenant_id, email)
        enqueue_job("email.welcome", {"membership_id": membership.id}, tenant_id=tenant_id)
        record_event(session, tenant_id=tenant_id, subject_type=MEMBER_SUBJECT,
                     subject_id=membership.user_id, actor=actor, action="member.invited",
                     after={"email": membership.user.email,
                            "has_password": membership.user.password_hash is not None})
    return membership


def create_token(tenant_slug: str, email: str, label: str = "") -> tuple[ApiToken, str]:
    """The operator's ``workorders tokens create``: the same service as the API and the
    tokens page, audited as the operator; a token without a label is labelled so."""
    from workorders.platform.services.api_tokens import issue_token

    tenant = tenant_by_slug(tenant_slug)
    return issue_token(tenant.id, email, label.strip() or "made on the command line",
                       actor=OPERATOR)


def revoke_token(tenant_slug: str, token_id_or_prefix: str) -> ApiToken:
    """The operator's ``workorders tokens revoke``, by id or by the token's first characters."""
    from workorders.platform.services.api_tokens import find_token, revoke

    tenant = tenant_by_slug(tenant_slug)
    token = find_token(tenant.id, token_id_or_prefix)
    if token is None:
        raise NotFound(f"no token {token_id_or_prefix!r} in {tenant_slug}")
    return revoke(tenant.id, token.id, actor=OPERATOR)


def list_tokens(tenant_slug: str) -> list[ApiToken]:
    """The operator's ``workorders tokens list``: oldest first, as it always printed."""
    from workorders.platform.services.api_tokens import tokens_of

    return sorted(tokens_of(tenant_by_slug(tenant_slug).id), key=lambda t: t.id)


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
