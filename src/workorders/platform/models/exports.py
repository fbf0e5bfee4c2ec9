"""Exports: one invoice or credit note of one case for one connector, and its attempts.

The row keeps the exact bytes sent (``payload``) and the document they were
rendered from, so what finance received can always be shown and re-sent
byte for byte. ``idempotency_key`` is generated once and sent on every attempt,
so a receiver can de-duplicate retries. Invoice numbers come from
``InvoiceCounter``, moved in the export's own transaction (gap-free, like case
numbers): a rolled-back export gives its number back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workorders.platform.extensions import Base
from workorders.platform.models.types import JSONType, UTCDateTime, utcnow


class ExportStatus(StrEnum):
    PENDING = "pending"  # queued, no attempt yet
    DELIVERING = "delivering"  # an attempt is running
    DELIVERED = "delivered"
    FAILED = "failed"  # the last attempt failed; the outbox retries it
    DEAD = "dead"  # gave up; a person retries it


class ExportKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceCounter(Base):
    """The last number given per tenant and series prefix (invoices and credit notes
    share the seller's series)."""

    __tablename__ = "invoice_counters"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Export(Base):
    __tablename__ = "exports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_id", "connector_id", "kind", "revision"),
        UniqueConstraint("tenant_id", "invoice_number"),
        UniqueConstraint("idempotency_key"),
        Index("ix_exports_list", "tenant_id", "status", "id"),
        Index("ix_exports_case", "tenant_id", "case_id", "connector_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    connector_id: Mapped[str] = mapped_column(String(63))
    format: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    #: 1 for a case's first invoice to a connector, +1 per re-invoice after a
    #: correction; a credit note carries the revision of the invoice it credits
    revision: Mapped[int] = mapped_column()
    invoice_number: Mapped[str] = mapped_column(String(40))
    credited_export_id: Mapped[int | None] = mapped_column(
        ForeignKey("exports.id", ondelete="CASCADE"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.PENDING.value)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: SHA-256 of the document without its number and dates: "did anything change?"
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    net_amount: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    #: the outbox job delivering it now (its run_after is the next retry)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_jobs.id", ondelete="SET NULL"), nullable=True)
    retries: Mapped[int] = mapped_column(default=0)  # re-queued by a person
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(default=1)


class ExportAttempt(Base):
    """One delivery attempt, whatever its outcome."""

    __tablename__ = "export_attempts"
    __table_args__ = (Index("ix_export_attempts_export", "export_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)
    status_code: Mapped[int | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(default=0)
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)
