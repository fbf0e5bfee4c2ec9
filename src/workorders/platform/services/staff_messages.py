"""A staff member's in-app messages and how they want each kind of message.

In-app messages are the message log's rows on the ``in_app`` channel addressed to
the person (``user_id``) in the current tenant; unread until they read them. The
bell counts them (one query per page, with the other nav counts), the Messages page
and ``/api/v1/me/messages`` list them. Preferences say, per kind of message, email
and/or in-app; no row means both, so a new member misses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from workorders.errors import ValidationFailed
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import (
    Membership,
    Notification,
    NotificationPreference,
    NotificationStatus,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.notifications import STAFF_KIND_WORDS, STAFF_KINDS
from workorders.platform.services.unit_of_work import transaction

PAGE = 50


def _mine(actor: Actor) -> Any:
    return (Notification.tenant_id == actor.tenant_id, Notification.user_id == actor.user_id,
            Notification.channel == "in_app",
            Notification.status == NotificationStatus.SENT.value)


def unread_count(actor: Actor) -> int:
    return int(db.session.execute(select(func.count(Notification.id)).where(
        *_mine(actor), Notification.read_at.is_(None))).scalar_one())


def inbox(actor: Actor, *, before_id: int | None = None, limit: int = PAGE) -> list[Notification]:
    """The person's in-app messages, newest first (``limit + 1`` at most)."""
    stmt = select(Notification).where(*_mine(actor))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.execute(stmt.order_by(Notification.id.desc()).limit(limit + 1))
                .scalars())


def mark_read(actor: Actor, ids: list[int] | None) -> int:
    """Mark the person's messages ``ids`` (None: all of them) read; how many changed.
    Another person's or tenant's ids change nothing."""
    with transaction() as session:
        stmt = update(Notification).where(*_mine(actor), Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(ids))
        result = session.execute(stmt.values(read_at=utcnow())
                                 .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_message(actor: Actor, notification_id: int) -> Notification:
    """The person's message, marked read (to follow its link to the case)."""
    row = get_for_tenant(Notification, notification_id, actor.tenant_id)
    if row.user_id != actor.user_id or row.channel != "in_app":
        from workorders.errors import NotFound

        raise NotFound("no such message")
    mark_read(actor, [row.id])
    return row


@dataclass(frozen=True, slots=True)
class KindSetting:
    kind: str
    words: str
    email: bool
    in_app: bool


def _membership(actor: Actor) -> Membership:
    found = db.session.execute(select(Membership).where(
        Membership.tenant_id == actor.tenant_id, Membership.user_id == actor.user_id)
    ).scalar_one_or_none()
    if found is None:  # pragma: no cover - a signed-in actor is a member
        from workorders.errors import NotFound

        raise NotFound("you are not a member of this workspace")
    return found


def settings_of(actor: Actor) -> list[KindSetting]:
    rows = {p.kind: p for p in db.session.execute(select(NotificationPreference).where(
        NotificationPreference.membership_id == _membership(actor).id)).scalars()}
    return [KindSetting(kind, STAFF_KIND_WORDS[kind],
                        rows[kind].email if kind in rows else True,
                        rows[kind].in_app if kind in rows else True) for kind in STAFF_KINDS]


def save_settings(actor: Actor, wanted: Any) -> list[KindSetting]:
    """Save ``{kind: {"email": bool, "in_app": bool}}``; anything else is refused
    with every problem at once and nothing saved."""
    errors: list[dict[str, str]] = []
    if not isinstance(wanted, dict):
        raise ValidationFailed("message settings must be an object", [{
            "path": "/", "message": "Send an object: {kind: {email: true, in_app: true}}."}])
    for kind, value in wanted.items():
        if kind not in STAFF_KINDS:
            errors.append({"path": f"/{kind}", "message": f"There is no kind of message "
                           f"called “{kind}”; the kinds are {', '.join(STAFF_KINDS)}."})
            continue
        if not isinstance(value, dict) or set(value) - {"email", "in_app"} or not all(
                isinstance(v, bool) for v in value.values()):
            errors.append({"path": f"/{kind}", "message": "Say email and in_app as true or "
                           "false, e.g. {\"email\": false, \"in_app\": true}."})
    if errors:
        raise ValidationFailed("the message settings are not valid", errors)
    membership_id = _membership(actor).id
    with transaction() as session:
        for kind, value in wanted.items():
            row = session.execute(select(NotificationPreference).where(
                NotificationPreference.membership_id == membership_id,
                NotificationPreference.kind == kind)).scalar_one_or_none()
            if row is None:
                row = NotificationPreference(membership_id=membership_id, kind=kind,
                                             email=True, in_app=True)
                session.add(row)
            row.email = value.get("email", row.email)
            row.in_app = value.get("in_app", row.in_app)
    return settings_of(actor)
