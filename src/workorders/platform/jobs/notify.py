"""Delivering notifications: one job per ``Notification`` row, moving its status on.

Before a message goes out it passes, in this order: the customer's opt-out (status
messages only; a message asking them to act always goes), the tenant's quiet hours
(SMS waits for the morning: the job is deferred, not failed) and the throttle (over
the hourly limit it is ``throttled``, logged and never retried by itself). Then the
channel sends it: email through SMTP or the outbox (``jobs/email.py``), SMS through
the tenant's gateway (``jobs/sms.py``), a signed webhook POST, or the staff
member's in-app list. A failed attempt is ``failed`` and retried by the job
machinery with backoff; the last failed attempt, or one retrying cannot help, is
``dead`` and waits for a person to retry it from the delivery log.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from workorders.platform.config import settings_of
from workorders.platform.jobs.email import SENDER, deliver
from workorders.platform.jobs.registry import DeferJob, JobContext, PermanentJobError
from workorders.platform.models.types import utcnow


def deliver_notification(ctx: JobContext) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import NotificationStatus
    from workorders.platform.models.notifications import SETTLED

    with ctx.app.app_context():
        row = _notification_of(ctx)
        if row is None:
            raise PermanentJobError("the notification is gone")
        if NotificationStatus(row.status) in SETTLED:
            return  # a second run of a finished delivery sends nothing again
        try:
            _deliver(ctx, row)
        except DeferJob as later:
            row.status, row.send_after = NotificationStatus.HELD.value, later.until
            row.updated_at = utcnow()
            db.session.commit()
            raise
        except Exception as exc:
            db.session.rollback()
            row = _notification_of(ctx)
            if row is not None:
                final = isinstance(exc, PermanentJobError) or ctx.last_attempt
                row.status = (NotificationStatus.DEAD if final
                              else NotificationStatus.FAILED).value
                row.error, row.attempts = _words(exc), ctx.attempt
                row.updated_at = utcnow()
                db.session.commit()
            raise


def _notification_of(ctx: JobContext) -> Any:
    """The message a delivery job is for: named by its dedupe key (written with it in
    one request, before the row had an id) or by its id (a retry, older jobs)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Notification

    if "notification_key" in ctx.payload:
        return db.session.execute(select(Notification).where(
            Notification.tenant_id == ctx.tenant_id,
            Notification.dedupe_key == ctx.payload["notification_key"])).scalar_one_or_none()
    return db.session.get(Notification, ctx.payload["notification_id"])


def _words(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:2000]


def _deliver(ctx: JobContext, row: Any) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Case, NotificationStatus

    case = db.session.get(Case, row.case_id) if row.case_id is not None else None
    settings = _tenant_settings(row.tenant_id, case)
    if row.audience == "customer" and row.kind == "status" and _opted_out(row):
        _settle(row, NotificationStatus.OPTED_OUT, "The customer opted out of status "
                "messages, so this one was not sent.")
        return
    if row.channel == "sms":
        from workorders.definitions.quiet_hours import quiet_until

        until = quiet_until(utcnow(), settings.quiet_hours, settings.timezone)
        if until is not None:
            raise DeferJob(until, "quiet hours: the text message waits for the morning")
    refusal = _throttle(ctx, row, settings)
    if refusal:
        _settle(row, NotificationStatus.THROTTLED, refusal)
        return
    row.attempts = ctx.attempt
    if row.channel == "email":
        row.message_id = _send_email(ctx, row, case)
    elif row.channel == "sms":
        from workorders.platform.jobs.sms import deliver_sms

        row.message_id = deliver_sms(ctx.app, row.tenant_id, settings.sms, row.address,
                                     row.body, f"notification-{row.id}")
    elif row.channel == "webhook":
        _post_webhook(ctx, row, case, settings)
    # in_app: the row itself is the message; it shows in the person's list now
    row.status, row.error, row.sent_at = NotificationStatus.SENT.value, None, utcnow()
    row.updated_at = row.sent_at
    db.session.commit()


def _settle(row: Any, status: Any, why: str) -> None:
    from workorders.platform.extensions import db

    row.status, row.error, row.updated_at = status.value, why, utcnow()
    db.session.commit()


class _TenantNotifySettings:
    """The tenant's notification settings, from its current published bundle (the
    gateway and quiet hours of today, not of the version a case was booked under)."""

    def __init__(self, bundle: Any) -> None:
        notifications = bundle.notifications
        self.quiet_hours = notifications.quiet_hours
        self.sms = notifications.sms
        self.webhooks = notifications.webhooks
        self.per_recipient = notifications.per_recipient_per_hour
        self.per_tenant = notifications.per_tenant_per_hour
        self.timezone = bundle.timezone


def _tenant_settings(tenant_id: int, case: Any) -> _TenantNotifySettings:
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(tenant_id)
    if version is None and case is not None:
        version = case.definition
    if version is None:
        raise PermanentJobError("the tenant has no published definition to send with")
    return _TenantNotifySettings(bundle_of(version))


def _opted_out(row: Any) -> bool:
    from workorders.platform.services.customer_messages import is_opted_out

    return is_opted_out(row.tenant_id, row.address)


def _throttle(ctx: JobContext, row: Any, settings: _TenantNotifySettings) -> str | None:
    """None when the message may go; else why it may not, in words."""
    from workorders.platform.services.notify_throttle import throttle_refusal

    server = settings_of(ctx.app)
    per_recipient = min(filter(None, (server.notify_max_per_recipient_per_hour,
                                      settings.per_recipient)))
    per_tenant = min(filter(None, (server.notify_max_per_tenant_per_hour,
                                   settings.per_tenant)))
    recipient = row.address or f"user:{row.user_id}"
    return throttle_refusal(tenant_id=row.tenant_id, recipient=recipient, channel=row.channel,
                      job_id=row.id, per_recipient=per_recipient, per_tenant=per_tenant)


def _send_email(ctx: JobContext, row: Any, case: Any) -> str:
    """Send one email: text and HTML, threaded under the case's first email to the
    same person, with a one-click unsubscribe on a customer's status messages."""
    from urllib.parse import urlsplit

    from workorders.platform.extensions import db
    from workorders.platform.jobs.email_message import OutgoingEmail, build_message
    from workorders.platform.models import Tenant
    from workorders.platform.services.customer_links import unsubscribe_link
    from workorders.platform.services.customer_words import public_words

    host = urlsplit(settings_of(ctx.app).public_url).hostname or "workorders.invalid"
    message_id = row.message_id or f"<notification-{row.id}.tenant-{row.tenant_id}@{host}>"
    tenant = db.session.get(Tenant, row.tenant_id)
    words = public_words(row.locale)
    status_message = row.audience == "customer" and row.kind == "status"
    email = OutgoingEmail(
        to=row.address, subject=row.subject or "A message about your case",
        text=_with_approval_link(row), message_id=message_id,
        thread_root=_thread_root(row) if case is not None else None,
        unsubscribe_url=unsubscribe_link(row.tenant_id, row.address) if status_message
        else None,
        sender_name=tenant.name if tenant is not None else None,
        lang=row.locale or "en", unsubscribe_words=words["stop_footer"])
    deliver(ctx.app, build_message(email, SENDER), f"notification-{row.id}")
    return message_id


def _thread_root(row: Any) -> str | None:
    """The Message-ID of the first email about this case to this address."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Notification

    first: str | None = db.session.execute(
        select(Notification.message_id).where(
            Notification.case_id == row.case_id, Notification.address == row.address,
            Notification.channel == "email", Notification.message_id.is_not(None),
            Notification.id < row.id).order_by(Notification.id).limit(1)).scalar()
    return first


def _with_approval_link(row: Any) -> str:
    """The text as sent: a customer's approval request gets its signed link here,
    never in the stored text (see ``APPROVAL_LINK_PLACEHOLDER``)."""
    from workorders.platform.services.customer_links import approval_link
    from workorders.platform.services.notifications import APPROVAL_LINK_PLACEHOLDER

    kind, _, approval_id = row.source.partition(":")
    if kind != "approval" or row.audience != "customer" or not approval_id.isdigit():
        return str(row.body)
    return str(row.body).replace(APPROVAL_LINK_PLACEHOLDER,
                                 approval_link(int(approval_id), row.tenant_id))


def _post_webhook(ctx: JobContext, row: Any, case: Any,
                  settings: _TenantNotifySettings) -> None:
    from workorders.connectors.transports import OutboundPolicy, deliver_http
    from workorders.platform.services.tenant_secrets import SecretUnavailable, open_secret

    webhook = settings.webhooks.get(row.address)
    if webhook is None:
        raise PermanentJobError(f"the webhook '{row.address}' is no longer defined")
    secret = None
    if webhook.secret:
        try:  # the row's own tenant: never another tenant's secret of the same name
            secret = open_secret(row.tenant_id, webhook.secret, f"the {row.address} webhook")
        except SecretUnavailable as exc:
            raise PermanentJobError(str(exc)) from exc
    body = json.dumps({"case": case.number if case is not None else None,
                       "source": row.source, "template": row.template,
                       "subject": row.subject, "text": row.body}).encode()
    result = deliver_http(webhook.url, body, content_type="application/json",
                          idempotency_key=f"notification-{row.id}", event="notification",
                          secret=secret,
                          policy=OutboundPolicy.parse(list(settings_of(ctx.app).outbound_allow)))
    if not result.ok:
        error = f"the webhook answered: {result.error or result.status_code}"
        if not result.retryable:
            raise PermanentJobError(error)
        raise ConnectionError(error)


def plan_legacy_notification(ctx: JobContext) -> None:
    """A ``notify`` job written before the delivery log existed: write its rows now
    (each then has its own delivery job), so an upgrade loses no message."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case
    from workorders.platform.services.case_context import LoadedCase
    from workorders.platform.services.definitions import bundle_of
    from workorders.platform.services.notifications import notify_from_rule

    p = ctx.payload
    with ctx.app.app_context():
        case = db.session.get(Case, p["case_id"])
        if case is None:
            raise PermanentJobError("the case is gone")
        bundle = bundle_of(case.definition)
        case_type = bundle.case_type(case.case_type)
        if case_type is None:  # pragma: no cover - a pinned version keeps its case types
            raise PermanentJobError("the case type is gone")
        notify_from_rule(db.session(), LoadedCase(case, bundle, case_type), p, str(p["rule"]),
                         key=f"legacy-notify-job-{ctx.job_id}", actor=None)
        db.session.commit()


def send_approval_link(ctx: JobContext) -> None:
    """An ``approval.customer_link`` job written before the message log: write the
    approval's message now (its own delivery job sends it)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Approval, Case
    from workorders.platform.services.case_context import LoadedCase
    from workorders.platform.services.definitions import bundle_of
    from workorders.platform.services.notifications import notify_approval

    with ctx.app.app_context():
        approval = db.session.get(Approval, ctx.payload["approval_id"])
        if approval is None:
            raise PermanentJobError("the approval is gone")
        case = db.session.get(Case, approval.case_id)
        bundle = bundle_of(case.definition) if case is not None else None
        case_type = bundle.case_type(case.case_type) if case and bundle else None
        if case is None or bundle is None or case_type is None:
            raise PermanentJobError("the approval's case is gone")
        notify_approval(db.session(), LoadedCase(case, bundle, case_type), approval.id,
                        approval.approver, approval.reason, None)
        db.session.commit()
