"""What a customer sees of their messages: the timeline on their status page, and
their choice to stop status messages (never messages asking them to act).

An opt-out belongs to one tenant and one address (an email address in lower case,
or an E.164 number): another company's messages to the same person are theirs to
stop separately. Opting out and back in are audited on the tenant, by the address.
"""

from __future__ import annotations

from sqlalchemy import select

from workorders.platform.models import (
    Notification,
    NotificationOptOut,
    NotificationStatus,
)
from workorders.platform.services.audit import record_event
from workorders.platform.services.unit_of_work import transaction

#: the statuses of a message the customer was really sent
TOLD = (NotificationStatus.SENT.value, NotificationStatus.DELIVERED.value)
#: the admin history's "Messages" kind (``services.admin_history.KINDS``)
AUDIT_SUBJECT = "customer_messages"


def optout_address(address: str) -> str:
    """How an opted-out address is stored and matched: emails in lower case."""
    return address.strip().lower()


def told_the_customer(case_id: int) -> list[Notification]:
    """The messages sent to the customer about this case, oldest first: the same
    timeline the customer was told, nothing staff-only, nothing unsent."""
    from workorders.platform.extensions import db

    return list(db.session.execute(select(Notification).where(
        Notification.case_id == case_id, Notification.audience == "customer",
        Notification.status.in_(TOLD)).order_by(Notification.sent_at, Notification.id))
        .scalars())


def is_opted_out(tenant_id: int, address: str) -> bool:
    from workorders.platform.extensions import db

    return db.session.execute(select(NotificationOptOut.id).where(
        NotificationOptOut.tenant_id == tenant_id,
        NotificationOptOut.address == optout_address(address))).first() is not None


def opt_out(tenant_id: int, address: str) -> bool:
    """Stop status messages to ``address``; True when it was not opted out before
    (a second click changes nothing)."""
    address = optout_address(address)
    with transaction() as session:
        existing = session.execute(select(NotificationOptOut).where(
            NotificationOptOut.tenant_id == tenant_id,
            NotificationOptOut.address == address)).scalar_one_or_none()
        if existing is not None:
            return False
        session.add(NotificationOptOut(tenant_id=tenant_id, address=address))
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=tenant_id, actor=f"customer:{address}",
                     action="notifications.opted_out", after={"address": address})
    return True


def opt_back_in(tenant_id: int, address: str) -> bool:
    """Undo an opt-out; True when there was one."""
    address = optout_address(address)
    with transaction() as session:
        existing = session.execute(select(NotificationOptOut).where(
            NotificationOptOut.tenant_id == tenant_id,
            NotificationOptOut.address == address)).scalar_one_or_none()
        if existing is None:
            return False
        session.delete(existing)
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=tenant_id, actor=f"customer:{address}",
                     action="notifications.opted_in", after={"address": address})
    return True
