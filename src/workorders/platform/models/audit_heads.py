"""The keyed head of each tenant's audit trail.

A hash chain per case shows an edited row, but not a missing newest event or a
whole missing chain: nothing after them is left to disagree. The head row counts
every event of the tenant and names the newest one's hash, under a MAC keyed from
the instance secret key, so ``workorders audit verify`` can tell that events are
missing and a database writer without that key cannot adjust the head to match.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workorders.platform.extensions import Base
from workorders.platform.models.types import UTCDateTime, utcnow


class AuditHead(Base):
    __tablename__ = "audit_heads"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"),
                                           primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column()
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
