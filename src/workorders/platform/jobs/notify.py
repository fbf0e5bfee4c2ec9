"""Delivering rule notifications and customer approval links.

Email goes through ``jobs.email.deliver`` (SMTP or ``.eml`` files); SMS has no
gateway configured here, so SMS messages are written as ``.sms.txt`` files in
the outbox directory beside the emails; webhooks are signed HTTP POSTs through
the connectors' HTTP transport (SSRF rules apply). Every send to a recipient is
first admitted by the throttle (``services/notify_throttle.py``); one held back is
recorded and logged, and the job still succeeds, so it is not retried.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from workorders.platform.config import settings_of
from workorders.platform.jobs.email import SENDER, deliver
from workorders.platform.jobs.registry import JobContext, PermanentJobError
from workorders.platform.private_paths import write_private_file


def _recipients(ctx: JobContext, case: Any, targets: list[str]) -> tuple[list[str], list[str]]:
    """(emails or phone numbers, webhook ids) for ``customer``, ``assignee``,
    ``role:<r>``, ``user:<email>`` and ``webhook:<id>``."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Membership

    people: list[str] = []
    hooks: list[str] = []
    for target in targets:
        if target == "customer":
            people.append((case.customer or {}).get("email") or "")
        elif target == "assignee" and case.assignee is not None:
            people.append(case.assignee.email)
        elif target.startswith("role:"):
            for m in db.session.execute(select(Membership).where(
                    Membership.tenant_id == case.tenant_id)).scalars():
                if target[5:] in (m.roles or []):
                    people.append(m.user.email)
        elif target.startswith("user:"):
            people.append(target[5:])
        elif target.startswith("webhook:"):
            hooks.append(target[8:])
    return sorted({p for p in people if p}), hooks


def send_notification(ctx: JobContext) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    p = ctx.payload
    with ctx.app.app_context():
        case = db.session.get(Case, p["case_id"])
        if case is None:
            raise PermanentJobError("the case is gone")
        tenant_id = case.tenant_id
        people, hooks = _recipients(ctx, case, list(p["to"]))
        for n, person in enumerate(people):
            if _admitted(ctx, tenant_id, person, p["channel"]):
                _send_one(ctx, p, person, f"job-{ctx.job_id}-{n}")
        for hook in hooks:
            if _admitted(ctx, tenant_id, f"webhook:{hook}", "webhook"):
                _post_webhook(ctx, case, hook, p)


def _admitted(ctx: JobContext, tenant_id: int, recipient: str, channel: str) -> bool:
    from workorders.platform.services.notify_throttle import admit_send

    settings = settings_of(ctx.app)
    return admit_send(tenant_id=tenant_id, recipient=recipient, channel=channel,
                      job_id=ctx.job_id,
                      per_recipient=settings.notify_max_per_recipient_per_hour,
                      per_tenant=settings.notify_max_per_tenant_per_hour)


def _send_one(ctx: JobContext, p: dict[str, Any], person: str, name: str) -> None:
    if p["channel"] == "sms":
        settings = settings_of(ctx.app)
        target = settings.mail_dir / f"{name}.sms.txt"
        if not target.exists():
            write_private_file(target, f"To: {person}\n\n{p['body']}\n".encode())
        return
    msg = EmailMessage()
    msg["From"], msg["To"] = SENDER, person
    msg["Subject"] = p.get("subject") or "A message about your case"
    msg.set_content(p["body"])
    deliver(ctx.app, msg, name)


def _post_webhook(ctx: JobContext, case: Any, hook_id: str, p: dict[str, Any]) -> None:
    import json

    from workorders.connectors.transports import OutboundPolicy, deliver_http
    from workorders.platform.services.definitions import bundle_of
    from workorders.platform.services.tenant_secrets import SecretUnavailable, open_secret

    bundle = bundle_of(case.definition)
    webhook = bundle.notifications.webhooks.get(hook_id)
    if webhook is None:
        raise PermanentJobError(f"webhook {hook_id} is not defined")
    secret = None
    if webhook.secret:
        try:  # the case's own tenant: never another tenant's secret of the same name
            secret = open_secret(case.tenant_id, webhook.secret, f"the {hook_id} webhook")
        except SecretUnavailable as exc:
            raise PermanentJobError(str(exc)) from exc
    settings = settings_of(ctx.app)
    body = json.dumps({"case": case.number, "rule": p["rule"], "template": p["template"],
                       "subject": p.get("subject"), "text": p["body"]}).encode()
    result = deliver_http(webhook.url, body, content_type="application/json",
                          idempotency_key=f"notify-{ctx.job_id}-{hook_id}",
                          event="notification", secret=secret,
                          policy=OutboundPolicy.parse(list(settings.outbound_allow)))
    if not result.ok:
        raise ConnectionError(f"webhook {hook_id}: {result.error or result.status_code}")


def send_approval_link(ctx: JobContext) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Approval, Case
    from workorders.platform.services.customer_links import approval_link

    with ctx.app.app_context():
        approval = db.session.get(Approval, ctx.payload["approval_id"])
        if approval is None:
            raise PermanentJobError("the approval is gone")
        case = db.session.get(Case, approval.case_id)
        email = (case.customer or {}).get("email") if case else None
        if not case or not email:
            raise PermanentJobError("the customer has no email address for the approval link")
        if not _admitted(ctx, case.tenant_id, email, "email"):
            return
        msg = EmailMessage()
        msg["From"], msg["To"] = SENDER, email
        msg["Subject"] = f"Your approval is needed for {case.number}"
        msg.set_content(f"Hello {case.customer.get('name', '')},\n\n{approval.reason}\n\n"
                        f"Approve or reject here (the link works once, for 14 days):\n"
                        f"{approval_link(approval.id, approval.tenant_id)}\n")
        deliver(ctx.app, msg, f"job-{ctx.job_id}-approval")
