"""Small reads the pages need and the services do not offer: names for emails,
the tenant's technicians, the case types people can book now.

Reads only, always scoped to the actor's tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g

from workorders.definitions.model import Bundle, CaseType
from workorders.platform.auth import Actor
from workorders.platform.models import User
from workorders.platform.services.accounts import list_members
from workorders.platform.services.definitions import bundle_of, current_version


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str
    roles: tuple[str, ...]


def people(actor: Actor) -> list[Person]:
    return [Person(m.user_id, m.user.email, m.name or m.user.email, tuple(m.roles or ()))
            for m in list_members(actor.tenant_id)]


def names_by_email(actor: Actor) -> dict[str, str]:
    return {p.email: p.name for p in people(actor)}


def member_name(user: User | None) -> str:
    """A person as the signed-in tenant names them (its membership's name, else the
    email): the name a shared login has in another tenant is not this tenant's to see.
    Looked up once per request, for the template filter ``person``."""
    if user is None:
        return ""
    names = g.get("member_names")
    if names is None:
        actor = g.get("actor")
        names = g.member_names = names_by_email(actor) if actor is not None else {}
    return str(names.get(user.email, user.email))


def technicians(actor: Actor) -> list[Person]:
    return sorted((p for p in people(actor) if "technician" in p.roles),
                  key=lambda p: p.name.lower())


def current_bundle(actor: Actor) -> Bundle | None:
    """The published bundle new cases use; None before an admin publishes one."""
    version = current_version(actor.tenant_id)
    return bundle_of(version) if version is not None else None


def bookable_case_types(actor: Actor) -> list[CaseType]:
    bundle = current_bundle(actor)
    return list(bundle.case_types) if bundle else []
