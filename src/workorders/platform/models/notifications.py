"""Every notification send attempt per recipient, sent or held back by the throttle.

The rows are both the throttle's memory (how many messages one recipient got from
a tenant in the last hour) and the visible record of what was held back, so a
throttled message is never a silent drop.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workorders.platform.extensions import Base
from workorders.platform.models.types import UTCDateTime, utcnow


class NotificationSend(Base):
    __tablename__ = "notification_sends"
    __table_args__ = (Index("ix_notification_sends_recipient", "tenant_id", "recipient", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[int | None] = mapped_column(nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    throttled: Mapped[bool] = mapped_column(default=False)
