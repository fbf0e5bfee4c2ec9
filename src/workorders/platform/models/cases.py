"""Cases: a service job from booking to invoicing, pinned to its definition version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.platform.extensions import Base
from workorders.platform.models.definitions import DefinitionVersion
from workorders.platform.models.tenancy import User
from workorders.platform.models.types import JSONType, UTCDateTime, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # a board column's first cards come in status_changed_at order straight from
        # the index (benchmarks/bench_cases.py); the prefix serves the per-state counts
        Index("ix_cases_board_age", "tenant_id", "case_type", "status", "status_changed_at"),
        Index("ix_cases_assignee", "tenant_id", "assignee_id", "status"),
        Index("ix_cases_tenant_id_desc", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    definition_version_id: Mapped[int] = mapped_column(
        ForeignKey("definition_versions.id", ondelete="RESTRICT"))
    case_type: Mapped[str] = mapped_column(String(63))
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    customer: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    site: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    customer_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: who follows the case up, when a rule routed it: {"role": r} or {"user": email}
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(63))
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # selectin: one query per page, not the bundle JSON repeated on every case row
    definition: Mapped[DefinitionVersion] = relationship(lazy="selectin")
    assignee: Mapped[User | None] = relationship(lazy="joined")


class CaseCounter(Base):
    """The last number given per tenant, prefix and year: case numbers are
    gap-free because the counter moves in the booking's own transaction."""

    __tablename__ = "case_counters"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class IdempotencyRecord(Base):
    """The first answer to a creating POST with an ``Idempotency-Key``, kept 24 h."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CaseImport(Base):
    """One CSV booking import: its progress while it runs, its report after.

    The file's hash with each row's number keys the rows already created, so the
    same file imported twice creates nothing new.
    """

    __tablename__ = "case_imports"
    __table_args__ = (Index("ix_case_imports_file", "tenant_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="running")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    author: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ImportedRow(Base):
    __tablename__ = "imported_rows"
    __table_args__ = (UniqueConstraint("tenant_id", "file_sha256", "row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    file_sha256: Mapped[str] = mapped_column(String(64))
    row: Mapped[int] = mapped_column()
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
