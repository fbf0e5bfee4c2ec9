"""A tenant's secrets: set, replace, delete, list by name, and open one to sign.

Values go in once and never come back out through the API, the CLI or a page:
listing answers names, who set them when, and what the published bundle signs
with them. The only reader of a value is :func:`open_secret`, called by a
delivery right before it signs, always with the tenant of the case being sent,
so one tenant's bundle can never sign with another tenant's secret.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workorders.definitions.secret_names import secret_name_problem, secret_uses
from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.config import settings_of
from workorders.platform.database import lock_tenant
from workorders.platform.extensions import db
from workorders.platform.models.secrets import TenantSecret
from workorders.platform.models.types import utcnow
from workorders.platform.secret_box import SecretUnreadable, derive_key, seal, unseal
from workorders.platform.services.audit import record_event
from workorders.platform.services.unit_of_work import transaction

SECRET_VALUE_MAX = 4096
#: audit events about a tenant's secrets form one chain per tenant
AUDIT_SUBJECT = "tenant_secrets"


@dataclass(frozen=True)
class SecretInfo:
    """What may be shown about a secret: never its value."""

    name: str
    is_set: bool
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    used_by: tuple[str, ...]


class SecretUnavailable(Exception):
    """A delivery cannot sign: the tenant has not set the secret, or it does not open."""


def _sealing_key() -> bytes:
    return derive_key(settings_of(current_app).secret_key)


def _check(name: str, value: str | None) -> None:
    problems = []
    name_problem = secret_name_problem(name)
    if name_problem:
        problems.append({"path": "/name", "message": name_problem})
    if value is not None:
        value_problem = _value_problem(value)
        if value_problem:
            problems.append({"path": "/value", "message": value_problem})
    if problems:
        raise ValidationFailed("; ".join(p["message"] for p in problems), problems)


def _value_problem(value: str) -> str | None:
    if not value:
        return "the secret's value is empty"
    if len(value) > SECRET_VALUE_MAX:
        return f"the secret's value is longer than {SECRET_VALUE_MAX} characters"
    if any(unicodedata.category(c).startswith("C") for c in value):
        return ("the secret's value contains a line break or another control character; "
                "paste the value alone")
    return None


def _row(tenant_id: int, name: str) -> TenantSecret | None:
    return db.session.execute(select(TenantSecret).where(
        TenantSecret.tenant_id == tenant_id, TenantSecret.name == name)).scalar_one_or_none()


def set_secret(tenant_id: int, name: str, value: str, actor: str) -> tuple[SecretInfo, bool]:
    """Store or replace ``name``; answers its listing and whether it was new."""
    _check(name, value)
    with transaction() as session:
        lock_tenant(tenant_id)  # one audit chain per tenant, and one row per name
        row = _row(tenant_id, name)
        now, created = utcnow(), row is None
        sealed = seal(_sealing_key(), tenant_id, name, value)
        if row is None:
            row = TenantSecret(tenant_id=tenant_id, name=name, ciphertext=sealed,
                               created_at=now, created_by=actor, updated_at=now,
                               updated_by=actor)
            session.add(row)
        else:
            row.ciphertext, row.updated_at, row.updated_by = sealed, now, actor
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=tenant_id, actor=actor,
                     action="secret.set" if created else "secret.replaced",
                     after={"name": name})
    return _info(name, row, _published_uses(tenant_id).get(name, ())), created


def delete_secret(tenant_id: int, name: str, actor: str) -> None:
    _check(name, None)
    with transaction() as session:
        lock_tenant(tenant_id)
        row = _row(tenant_id, name)
        if row is None:
            raise NotFound(f"the tenant has no secret named '{name}'")
        session.delete(row)
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=tenant_id, actor=actor, action="secret.deleted",
                     before={"name": name})


def secret_names(tenant_id: int) -> set[str]:
    """The names the tenant has set: plain data for the bundle validator."""
    return set(db.session.execute(select(TenantSecret.name).where(
        TenantSecret.tenant_id == tenant_id)).scalars())


def list_secrets(tenant_id: int) -> list[SecretInfo]:
    """Every secret the tenant has set, and every name its published bundle signs
    with but the tenant has not set (``is_set`` false), by name."""
    rows = {r.name: r for r in db.session.execute(select(TenantSecret).where(
        TenantSecret.tenant_id == tenant_id)).scalars()}
    uses = _published_uses(tenant_id)
    return [_info(name, rows.get(name), uses.get(name, ()))
            for name in sorted(set(rows) | set(uses))]


def _info(name: str, row: TenantSecret | None, used_by: tuple[str, ...]) -> SecretInfo:
    if row is None:
        return SecretInfo(name, False, None, None, None, None, used_by)
    return SecretInfo(name, True, row.created_at, row.created_by, row.updated_at,
                      row.updated_by, used_by)


def _published_uses(tenant_id: int) -> dict[str, tuple[str, ...]]:
    """What the published bundle signs with; nothing when there is none, or when it
    no longer validates (its cases say so; the secrets stay manageable)."""
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(tenant_id)
    if version is None:
        return {}
    try:
        return dict(secret_uses(bundle_of(version)))
    except Conflict:
        return {}


def open_secret(tenant_id: int, name: str, user: str) -> str:
    """The value of the tenant's secret ``name``, to sign one delivery with.

    ``user`` says what signs ("the fortnox connector") for the error a person
    reads when the secret is not there."""
    row = _row(tenant_id, name)
    if row is None:
        raise SecretUnavailable(
            f"the tenant has no secret named '{name}' ({user} signs with it); set it with "
            f"`workorders secrets set --tenant <slug> {name}` or PUT /api/v1/secrets/{name}, "
            "then send again")
    try:
        return unseal(_sealing_key(), tenant_id, name, row.ciphertext)
    except SecretUnreadable as exc:
        raise SecretUnavailable(
            f"the tenant's secret '{name}' ({user} signs with it) cannot be opened: {exc}; "
            "set it again") from exc
