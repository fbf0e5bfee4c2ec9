"""Every notification send attempt per recipient, sent or held back by the throttle.

The rows are both the throttle's memory (how many messages one recipient got from
a tenant in the last hour) and the visible record of what was held back, so a
throttled message is never a silent drop.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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


class NotificationStatus(enum.StrEnum):
    """Where one message to one recipient stands (the delivery log's status)."""

    QUEUED = "queued"  # written, its delivery job not done yet
    HELD = "held"  # an SMS in the tenant's quiet hours: goes out at ``send_after``
    SENT = "sent"  # handed to the SMTP server, the SMS gateway or the webhook; in-app: shown
    DELIVERED = "delivered"  # the channel confirmed delivery
    BOUNCED = "bounced"  # the channel reported it undeliverable after sending
    FAILED = "failed"  # the last attempt failed; another one is due
    DEAD = "dead"  # every attempt failed, or retrying cannot help: retry by hand
    THROTTLED = "throttled"  # over the hourly limit: not sent, never retried by itself
    OPTED_OUT = "opted_out"  # the customer opted out of status messages
    SKIPPED = "skipped"  # nobody to send to (no address for that channel)


#: statuses after which the delivery job has nothing left to do (a dead one is sent
#: again when a person retries its job, from the message log or the jobs page)
SETTLED = frozenset({NotificationStatus.SENT, NotificationStatus.DELIVERED,
                     NotificationStatus.BOUNCED, NotificationStatus.THROTTLED,
                     NotificationStatus.OPTED_OUT, NotificationStatus.SKIPPED})


class Notification(Base):
    """One message to one recipient on one channel: the delivery log's row.

    Written in the transaction of the change that causes it (a transition, a rule's
    ``notify``, an approval), keyed by ``dedupe_key`` so a retried request, a
    corrected report or a re-evaluation never writes a second one; the delivery
    job moves ``status`` on. ``subject`` and ``body`` are the text as rendered for
    this recipient's language, what the log and the customer's status page show.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_notifications_tenant_created", "tenant_id", "created_at"),
        Index("ix_notifications_case", "case_id", "created_at"),
        Index("ix_notifications_unread", "user_id", "tenant_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                                nullable=True)
    #: what caused it: ``on_enter:<state>``, ``rule:<rule id>``, ``approval``
    source: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    #: ``status`` (a customer may opt out) or ``action`` (they must act: never opted out)
    kind: Mapped[str] = mapped_column(String(16), default="status")
    #: ``customer``, ``staff`` or ``webhook``
    audience: Mapped[str] = mapped_column(String(16))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    #: an email address, an E.164 number, a webhook id; in-app: the person's email
    address: Mapped[str] = mapped_column(String(254), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True)
    locale: Mapped[str | None] = mapped_column(String(35), nullable=True)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.QUEUED.value)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    dedupe_key: Mapped[str] = mapped_column(String(240))
    job_id: Mapped[int | None] = mapped_column(nullable=True)
    #: the email's Message-ID or the gateway's message id
    message_id: Mapped[str | None] = mapped_column(String(250), nullable=True)
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotificationOptOut(Base):
    """A customer address (email or E.164 number) that wants no status messages
    from this tenant; messages asking them to act still go out."""

    __tablename__ = "notification_optouts"
    __table_args__ = (UniqueConstraint("tenant_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(Base):
    """How one staff member wants one kind of message: by email, in-app, or both.
    No row means both."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("membership_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id",
                                                          ondelete="CASCADE"))
    #: ``assigned`` (a job waits for me), ``team`` (a case waits for my role), ``rules``
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[bool] = mapped_column(default=True)
    in_app: Mapped[bool] = mapped_column(default=True)
