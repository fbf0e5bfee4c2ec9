"""What rules leave on a case: exceptions, approvals, invoicing blocks, and the
log of every evaluation with its traces.

Each outcome keeps the rule that raised it, the trace of that firing, its scope
(``form:<id>`` for outcomes of a submission, else the trigger: only an
evaluation of the same scope can close it) and a fingerprint of the actual
values the rule saw: a person's decision stands
across re-evaluations while those values are unchanged, and a new outcome is
raised when they change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.platform.extensions import Base
from workorders.platform.models.tenancy import User
from workorders.platform.models.types import JSONType, UTCDateTime, utcnow


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    OVERRIDDEN = "overridden"
    RESOLVED_BY_RULE = "resolved_by_rule"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED_BY_RULE = "resolved_by_rule"


class CaseException(Base):
    __tablename__ = "case_exceptions"
    __table_args__ = (
        Index("ix_case_exceptions_queue", "tenant_id", "status", "severity"),
        Index("ix_case_exceptions_case", "tenant_id", "case_id", "rule_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rule_id: Mapped[str | None] = mapped_column(String(63), nullable=True)
    code: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ExceptionStatus.OPEN.value)
    assign_role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    trigger: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(120))
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignee: Mapped[User | None] = relationship(lazy="joined")


class Approval(Base):
    __tablename__ = "approvals"
    __table_args__ = (
        Index("ix_approvals_inbox", "tenant_id", "status"),
        Index("ix_approvals_case", "tenant_id", "case_id", "rule_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(63))
    approver: Mapped[str] = mapped_column(String(300))  # role:<r> | user:<email> | customer
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ApprovalStatus.PENDING.value)
    trigger: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(120))
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvoiceBlock(Base):
    __tablename__ = "invoice_blocks"
    __table_args__ = (Index("ix_invoice_blocks_case", "tenant_id", "case_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(63))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|resolved_by_rule
    scope: Mapped[str] = mapped_column(String(120))
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RuleEvaluation(Base):
    """One run of the rules on a case: what fired, with traces, and what it did."""

    __tablename__ = "rule_evaluations"
    __table_args__ = (Index("ix_rule_evaluations_case", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), nullable=True)
    trigger: Mapped[str] = mapped_column(String(80))
    engine: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
