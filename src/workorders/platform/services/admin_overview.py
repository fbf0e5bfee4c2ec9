"""The figures on the admin workspace's front page: one small count per admin page,
so an admin sees where something waits before opening it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from workorders.platform.extensions import db
from workorders.platform.models import (
    ApiToken,
    AuditEvent,
    DefinitionVersion,
    Membership,
    VersionStatus,
)
from workorders.platform.services.admin_history import admin_events
from workorders.platform.services.job_retry import failed_work_count
from workorders.platform.services.tenant_secrets import list_secrets


@dataclass(frozen=True)
class AdminOverview:
    published_version: int | None
    drafts: int
    versions: int
    members: int
    active_tokens: int
    secrets_set: int
    #: names the published definition signs with but the tenant has not set
    secrets_missing: int
    failed_work: int
    latest_event: AuditEvent | None


def admin_overview(tenant_id: int) -> AdminOverview:
    statuses: dict[str, int] = {row[0]: int(row[1]) for row in db.session.execute(
        select(DefinitionVersion.status, func.count())
        .where(DefinitionVersion.tenant_id == tenant_id)
        .group_by(DefinitionVersion.status))}
    published = db.session.execute(select(DefinitionVersion.number).where(
        DefinitionVersion.tenant_id == tenant_id,
        DefinitionVersion.status == VersionStatus.PUBLISHED.value)).scalar_one_or_none()
    members = db.session.execute(select(func.count()).select_from(Membership).where(
        Membership.tenant_id == tenant_id)).scalar_one()
    tokens = db.session.execute(select(func.count()).select_from(ApiToken).where(
        ApiToken.tenant_id == tenant_id, ApiToken.revoked_at.is_(None))).scalar_one()
    secrets = list_secrets(tenant_id)
    latest = admin_events(tenant_id, limit=1)
    return AdminOverview(
        published_version=published, drafts=int(statuses.get(VersionStatus.DRAFT.value, 0)),
        versions=int(sum(statuses.values())), members=int(members),
        active_tokens=int(tokens), secrets_set=sum(1 for s in secrets if s.is_set),
        secrets_missing=sum(1 for s in secrets if not s.is_set),
        failed_work=failed_work_count(tenant_id), latest_event=latest[0] if latest else None)
