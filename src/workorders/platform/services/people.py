"""Changing and removing a tenant's members, with the last admin guard.

A tenant must always keep an admin: without one nobody can add people, publish a
definition or revoke a token any more, and only the instance operator could fix
it. So removing or demoting the last admin (oneself included) is refused with a
sentence saying what to do first. The check and the change happen under the
tenant's lock (a row lock on PostgreSQL, the write lock on SQLite), so two admins
removing each other at the same moment cannot both pass it: the second sees the
first's change and is refused.

Removing a member deletes the membership, which is what every page request and
every API token checks (``auth._membership``): the person's open browser sessions
stop opening this tenant's pages at once, and their tokens here are revoked too,
so the list says so. Their login, their other tenants and the cases they worked
on stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.errors import Conflict, ValidationFailed
from workorders.platform.database import lock_tenant
from workorders.platform.models import Membership, Tenant, User
from workorders.platform.services.accounts import (
    MEMBER_SUBJECT,
    check_name,
    check_roles,
    member_by_email,
)
from workorders.platform.services.api_tokens import revoke_tokens_of_member
from workorders.platform.services.audit import record_event
from workorders.platform.services.unit_of_work import transaction

ADMIN = "admin"


@dataclass(frozen=True)
class Removed:
    """What was removed, for the answer and the flash message (the row is gone)."""

    email: str
    name: str
    roles: tuple[str, ...]
    tokens_revoked: int


def change_member(tenant_id: int, email: str, *, actor: str, roles: list[str] | None = None,
                  name: str | None = None) -> Membership:
    """Set a member's roles and/or the name this tenant shows for them. Unchanged
    values record nothing; a change records ``member.roles_changed`` with the roles
    and names before and after."""
    if roles is None and name is None:
        raise ValidationFailed("send the member's new roles, their name, or both",
                               [{"path": "", "message": "nothing to change"}])
    new_roles = check_roles(roles) if roles is not None else None
    new_name = check_name(name) if name is not None else None
    with transaction() as session:
        lock_tenant(tenant_id)
        membership = member_by_email(tenant_id, email)
        before = {"email": membership.user.email, "name": membership.name,
                  "roles": sorted(membership.roles)}
        if new_roles is not None and ADMIN in membership.roles and ADMIN not in new_roles:
            _keep_an_admin(session, membership, actor, "take the admin role from")
        if new_roles is not None:
            membership.roles = new_roles
        if new_name is not None:
            membership.name = new_name
        after = {"email": membership.user.email, "name": membership.name,
                 "roles": sorted(membership.roles)}
        if after != before:
            record_event(session, tenant_id=tenant_id, subject_type=MEMBER_SUBJECT,
                         subject_id=membership.user_id, actor=actor,
                         action="member.roles_changed", before=before, after=after)
    return membership


def remove_member(tenant_id: int, email: str, *, actor: str) -> Removed:
    """Take a person out of this tenant: the membership goes, their API tokens here are
    revoked, and their sessions stop opening this tenant's pages; the last admin stays."""
    with transaction() as session:
        lock_tenant(tenant_id)
        membership = member_by_email(tenant_id, email)
        if ADMIN in membership.roles:
            _keep_an_admin(session, membership, actor, "remove")
        revoked = revoke_tokens_of_member(session, membership, actor)
        removed = Removed(email=membership.user.email, name=membership.name,
                          roles=tuple(sorted(membership.roles)), tokens_revoked=len(revoked))
        record_event(session, tenant_id=tenant_id, subject_type=MEMBER_SUBJECT,
                     subject_id=membership.user_id, actor=actor, action="member.removed",
                     before={"email": removed.email, "name": removed.name,
                             "roles": list(removed.roles)},
                     after={"tokens_revoked": revoked})
        session.delete(membership)
    return removed


def _keep_an_admin(session: Session, membership: Membership, actor: str, doing: str) -> None:
    """Refuse when ``membership`` holds the tenant's only admin role among active logins.
    Called with the tenant locked, so the count cannot change before the commit."""
    others = session.execute(
        select(Membership.roles).join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == membership.tenant_id, Membership.id != membership.id,
               User.active.is_(True))).scalars()
    if any(ADMIN in (roles or ()) for roles in others):
        return
    tenant = session.get(Tenant, membership.tenant_id)
    workspace = tenant.name if tenant else "this workspace"
    if membership.user.email == actor:
        raise Conflict(f"you are the last admin of {workspace}, so you cannot {doing} "
                       "yourself; make someone else an admin first")
    raise Conflict(f"{membership.user.email} is the last admin of {workspace}, so you cannot "
                   f"{doing} them; make someone else an admin first")
