"""The message log: what was sent to whom, per case and per tenant, and a retry.

One place for the log's queries and words, used by the case page, the admin's
message log page and the API, so the three always agree. A retry sets a failed,
dead or throttled message back to queued and queues its delivery again (audited);
a throttled one then faces the hourly limit afresh, so it goes only when the limit
allows it now (no override: the limit protects the recipient, so a person who must
reach them sooner uses another channel). ``retry_dead`` sends every message of the
tenant that gave up again, each in its own transaction and audited like one retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select

from workorders.definitions.model import Bundle
from workorders.errors import Conflict
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant, lock_tenant
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import enqueue_job, requeue_job
from workorders.platform.models import (
    Case,
    Notification,
    NotificationSend,
    NotificationStatus,
    OutboxJob,
)
from workorders.platform.services.audit import record_event
from workorders.platform.services.notifications import DELIVER_JOB
from workorders.platform.services.unit_of_work import transaction

S = NotificationStatus
CHANNEL_WORDS = {"email": "Email", "sms": "Text message", "webhook": "Webhook",
                 "in_app": "In the app"}
STATUS_WORDS = {S.QUEUED.value: "Queued", S.HELD.value: "Waiting for the morning",
                S.SENT.value: "Sent", S.DELIVERED.value: "Delivered",
                S.BOUNCED.value: "Bounced", S.FAILED.value: "Failed, will try again",
                S.DEAD.value: "Gave up", S.THROTTLED.value: "Held back (hourly limit)",
                S.OPTED_OUT.value: "Not sent: opted out",
                S.SKIPPED.value: "Not sent: no address"}
RETRYABLE = (S.FAILED.value, S.DEAD.value, S.THROTTLED.value)
#: statuses an admin should look at, first on the log page
TROUBLE = (S.DEAD.value, S.FAILED.value, S.THROTTLED.value)
PAGE = 50
#: the most messages one "send every one that gave up again" sends
MAX_BULK_RETRY = 200


class BadLogFilter(ValueError):
    """A filter value the log cannot read; its text is a sentence for a person."""


def day_span(raw_from: str | None, raw_to: str | None,
             zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The instants (UTC) from the start of ``raw_from`` to the end of ``raw_to``,
    dates like 2026-12-03 read as days in ``zone`` (the tenant's); either may be
    left out."""
    days: list[date | None] = []
    for raw, words in ((raw_from, "From"), (raw_to, "To")):
        raw = (raw or "").strip()
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            raise BadLogFilter(f"{words} “{raw[:20]}” is not a date; use a date like "
                               "2026-12-03.") from None
    start, end = days
    if start and end and end < start:
        raise BadLogFilter("The “to” date is before the “from” date.")
    return (datetime.combine(start, time(), zone).astimezone(UTC) if start else None,
            datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
            if end else None)


def source_words(source: str, bundle: Bundle | None = None) -> str:
    """What caused a message, for a person: the state entered (its label) or the
    rule (its description), read from ``bundle`` (the tenant's) when given."""
    kind, _, name = source.partition(":")
    humane = name.replace("_", " ")
    if kind == "on_enter":
        states = [s for ct in (bundle.case_types if bundle else ()) for s in ct.lifecycle.states
                  if s.id == name]
        return f"Entered “{states[0].label if states else humane}”"
    if kind == "rule":
        rule = bundle.rule(name) if bundle is not None else None
        return rule.description if rule is not None and rule.description \
            else f"A rule ({humane})"
    if kind == "approval":
        return "Approval request"
    return source.replace("_", " ")


def tenant_bundle(tenant_id: int) -> Bundle | None:
    """The tenant's published bundle, to word what caused its messages."""
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(tenant_id)
    return bundle_of(version) if version is not None else None


def message_json(row: Notification) -> dict[str, Any]:
    return {"id": row.id, "case_id": row.case_id, "source": row.source,
            "template": row.template, "channel": row.channel, "kind": row.kind,
            "audience": row.audience, "recipient": row.recipient_name,
            "address": row.address, "locale": row.locale, "subject": row.subject,
            "text": row.body, "status": row.status, "status_words": STATUS_WORDS[row.status],
            "error": row.error, "attempts": row.attempts,
            "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "send_after": row.send_after.isoformat() if row.send_after else None}


@dataclass(frozen=True, slots=True)
class LogFilter:
    status: str | None = None
    channel: str | None = None
    search: str | None = None
    case_id: int | None = None
    #: created at or after (UTC)
    since: datetime | None = None
    #: created before (UTC)
    until: datetime | None = None
    before_id: int | None = None
    limit: int = PAGE


def messages(tenant_id: int, wanted: LogFilter) -> list[Notification]:
    """The tenant's messages, newest first, filtered; ``limit + 1`` rows at most, so
    a caller knows whether there is another page."""
    stmt = select(Notification).where(Notification.tenant_id == tenant_id)
    if wanted.status:
        stmt = stmt.where(Notification.status == wanted.status)
    if wanted.channel:
        stmt = stmt.where(Notification.channel == wanted.channel)
    if wanted.case_id is not None:
        stmt = stmt.where(Notification.case_id == wanted.case_id)
    if wanted.search:
        like = f"%{wanted.search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Notification.address).like(like),
                              func.lower(Notification.recipient_name).like(like),
                              func.lower(Notification.template).like(like)))
    if wanted.since is not None:
        stmt = stmt.where(Notification.created_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(Notification.created_at < wanted.until)
    if wanted.before_id is not None:
        stmt = stmt.where(Notification.id < wanted.before_id)
    return list(db.session.execute(
        stmt.order_by(Notification.id.desc()).limit(wanted.limit + 1)).scalars())


def status_counts(tenant_id: int) -> dict[str, int]:
    """How many of the tenant's messages are in each status."""
    rows = db.session.execute(select(Notification.status, func.count()).where(
        Notification.tenant_id == tenant_id).group_by(Notification.status)).all()
    return {status: count for status, count in rows}


def retry_message(actor: Actor, notification_id: int) -> Notification:
    """Send a failed, dead or throttled message again, now (audited on the case, or
    on the tenant for a message without a case)."""
    with transaction() as session:
        lock_tenant(actor.tenant_id)
        row = get_for_tenant(Notification, notification_id, actor.tenant_id, lock=True)
        if row.case_id is not None:  # the case's audit chain is written under its lock
            get_for_tenant(Case, row.case_id, actor.tenant_id, lock=True)
        if row.status not in RETRYABLE:
            raise Conflict(f"this message is {STATUS_WORDS[row.status].lower()}; only a "
                           "message that failed, gave up or was held back can be sent again")
        before = {"status": row.status, "error": row.error}
        row.status, row.error, row.send_after = S.QUEUED.value, None, None
        # the throttle remembers its answer per message: forget it, so it asks afresh
        session.execute(delete(NotificationSend).where(
            NotificationSend.tenant_id == row.tenant_id, NotificationSend.job_id == row.id))
        job = session.get(OutboxJob, row.job_id) if row.job_id is not None else None
        if job is None:
            job = enqueue_job(DELIVER_JOB, {"notification_id": row.id},
                              tenant_id=row.tenant_id, max_attempts=6)
            row.job_id = job.id
        else:
            requeue_job(job)
        record_event(session, tenant_id=actor.tenant_id,
                     subject_type="case" if row.case_id is not None else "tenant",
                     subject_id=row.case_id if row.case_id is not None else actor.tenant_id,
                     actor=actor.email, action="notification.retried", before=before,
                     after={"message": row.id, "channel": row.channel,
                            "to": row.recipient_name or row.address})
    return row


@dataclass(frozen=True, slots=True)
class BulkRetry:
    """What "send every one that gave up again" did."""

    sent_again: int
    #: dead messages beyond :data:`MAX_BULK_RETRY`, for the next press
    left: int


def retry_dead(actor: Actor) -> BulkRetry:
    """Send the tenant's messages that gave up again, oldest first, at most
    :data:`MAX_BULK_RETRY`; each is :func:`retry_message` (its own transaction and
    audit event), and one that changed meanwhile is left as it is."""
    ids = list(db.session.execute(select(Notification.id).where(
        Notification.tenant_id == actor.tenant_id, Notification.status == S.DEAD.value)
        .order_by(Notification.id).limit(MAX_BULK_RETRY + 1)).scalars())
    done = 0
    for notification_id in ids[:MAX_BULK_RETRY]:
        try:
            retry_message(actor, notification_id)
        except Conflict:  # sent again by someone else meanwhile
            continue
        done += 1
    left = int(db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.tenant_id == actor.tenant_id,
        Notification.status == S.DEAD.value)).scalar_one()) if len(ids) > MAX_BULK_RETRY else 0
    return BulkRetry(done, left)
