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


def admit_send(*, tenant_id: int, recipient: str, channel: str, job_id: int,
               per_recipient: int, per_tenant: int) -> bool:
    """Record one send and answer whether it may go out; commits its own transaction."""
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
        return not earlier.throttled
    since = utcnow() - WINDOW
    sent = select(func.count()).select_from(NotificationSend).where(
        NotificationSend.tenant_id == tenant_id, NotificationSend.at >= since,
        NotificationSend.throttled.is_(False))
    to_recipient = session.execute(
        sent.where(NotificationSend.recipient == recipient)).scalar_one()
    by_tenant = session.execute(sent).scalar_one()
    reason = None
    if to_recipient >= per_recipient:
        reason = (f"{to_recipient} messages to this recipient in the last hour "
                  "(WORKORDERS_NOTIFY_MAX_PER_RECIPIENT_PER_HOUR)")
    elif by_tenant >= per_tenant:
        reason = (f"{by_tenant} messages from this tenant in the last hour "
                  "(WORKORDERS_NOTIFY_MAX_PER_TENANT_PER_HOUR)")
    session.add(NotificationSend(tenant_id=tenant_id, recipient=recipient, channel=channel,
                                 job_id=job_id, at=utcnow(), throttled=reason is not None))
    session.commit()
    if reason:
        log.warning("notification %s to %s (tenant %s, job %s) throttled, not sent: %s",
                    channel, recipient, tenant_id, job_id, reason)
    return reason is None
