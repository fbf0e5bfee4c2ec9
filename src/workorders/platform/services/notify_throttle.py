"""The notification throttle: no tenant can use the product as a spam relay.

A bundle's rules decide who gets messages, and a rule that fires on every
submission, or a burst of bookings naming one customer, could send one person
hundreds of messages. Each send to a recipient is first admitted here: at most
``notify_max_per_recipient_per_hour`` messages from one tenant to one recipient,
and ``notify_max_per_tenant_per_hour`` from one tenant in all, in any rolling hour.
A send over the limit is not made and not retried: it is recorded as throttled
(``notification_sends``) and logged, so it is visible rather than silently dropped.
The decision for one job and recipient is kept, so a retried job neither counts
twice nor sends what was held back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from workorders.platform.database import begin_write, lock_tenant
from workorders.platform.extensions import db
from workorders.platform.models import NotificationSend
from workorders.platform.models.types import utcnow

log = logging.getLogger("workorders.notify")
WINDOW = timedelta(hours=1)


def throttle_refusal(*, tenant_id: int, recipient: str, channel: str, job_id: int,
                     per_recipient: int, per_tenant: int) -> str | None:
    """Record one send; None when it may go out, else why not, in words. Commits
    its own transaction. ``job_id`` names the send (a job, or a notification row),
    so asking twice for the same one answers the same without counting twice."""
    session = db.session()
    recipient = recipient.strip().lower()[:254]
    begin_write(session)
    lock_tenant(tenant_id)  # sends of one tenant are counted one at a time
    earlier = session.execute(select(NotificationSend).where(
        NotificationSend.tenant_id == tenant_id, NotificationSend.job_id == job_id,
        NotificationSend.recipient == recipient, NotificationSend.channel == channel)
    ).scalars().first()
    if earlier is not None:
        session.commit()
        return "it was held back by the hourly limit before" if earlier.throttled else None
    since = utcnow() - WINDOW
    sent = select(func.count()).select_from(NotificationSend).where(
        NotificationSend.tenant_id == tenant_id, NotificationSend.at >= since,
        NotificationSend.throttled.is_(False))
    to_recipient = session.execute(
        sent.where(NotificationSend.recipient == recipient)).scalar_one()
    by_tenant = session.execute(sent).scalar_one()
    reason = None
    if to_recipient >= per_recipient:
        reason = (f"Not sent: {to_recipient} messages already went to this recipient in the "
                  f"last hour, and the limit is {per_recipient} an hour.")
    elif by_tenant >= per_tenant:
        reason = (f"Not sent: this tenant already sent {by_tenant} messages in the last "
                  f"hour, and the limit is {per_tenant} an hour.")
    session.add(NotificationSend(tenant_id=tenant_id, recipient=recipient, channel=channel,
                                 job_id=job_id, at=utcnow(), throttled=reason is not None))
    session.commit()
    if reason:
        log.warning("notification %s to %s (tenant %s, job %s) throttled, not sent: %s",
                    channel, recipient, tenant_id, job_id, reason)
    return reason
