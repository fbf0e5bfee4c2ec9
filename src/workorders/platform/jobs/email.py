"""Email delivery: SMTP when configured, otherwise ``.eml`` files in the instance.

Writing files keeps the embedded demo honest: every message the product would
send can be opened and read, without a mail server.
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask

from workorders.platform.config import settings_of
from workorders.platform.jobs.registry import JobContext, PermanentJobError
from workorders.platform.private_paths import write_private_file

SENDER = "workorders <no-reply@workorders.invalid>"


def deliver(app: Flask, message: EmailMessage, name: str) -> Path | None:
    """Send ``message``; answer the ``.eml`` path when written to the outbox dir.

    ``name`` identifies the message (e.g. the job id) so a retry after a crash
    overwrites nothing and never writes a second copy.
    """
    settings = settings_of(app)
    if settings.smtp_url:
        _send_smtp(settings.smtp_url, message)
        return None
    target = settings.mail_dir / f"{name}.eml"
    if target.exists():
        return target
    tmp = target.with_suffix(".eml.tmp")
    write_private_file(tmp, bytes(message))
    os.replace(tmp, target)
    return target


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise PermanentJobError(
            f"WORKORDERS_SMTP_URL must be smtp:// or smtps://, not {parts.scheme}")
    host = parts.hostname or "localhost"
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    with cls(host, port, timeout=30) as smtp:
        if parts.scheme == "smtp" and parts.port == 587:
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def send_welcome_email(ctx: JobContext) -> None:
    """Tell a person they were added to a tenant. A login without a password yet is
    invited to set its own (signed, single-use link); a login that has one is told
    to use it: nobody else ever chooses or learns it."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Membership
    from workorders.platform.services.invitations import LINK_DAYS, set_password_link

    with ctx.app.app_context():
        membership = db.session.get(Membership, ctx.payload["membership_id"])
        if membership is None:
            raise PermanentJobError("the membership was removed before the welcome email")
        user = membership.user
        msg = EmailMessage()
        msg["From"] = SENDER
        msg["To"] = user.email
        msg["Subject"] = f"Welcome to {membership.tenant.name} on workorders"
        roles = ", ".join(membership.roles)
        if user.password_hash is None:
            how = (f"Choose your password here (the link works once, for {LINK_DAYS} days):\n"
                   f"{set_password_link(user)}\n")
        else:
            how = ("Sign in with this email address and your password (the one you already "
                   "use for workorders, or the one your administrator gave you).\n")
        msg.set_content(
            f"Hello {membership.name or user.email},\n\n"
            f"you now have access to {membership.tenant.name} as {roles}.\n{how}")
        deliver(ctx.app, msg, f"job-{ctx.job_id}-welcome")
