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

from workorders.platform.jobs.registry import JobContext, PermanentJobError
from workorders.platform.private_paths import write_private_file

SENDER = "workorders <no-reply@workorders.invalid>"


def deliver(app: Flask, message: EmailMessage, name: str) -> Path | None:
    """Send ``message``; answer the ``.eml`` path when written to the outbox dir.

    ``name`` identifies the message (e.g. the job id) so a retry after a crash
    overwrites nothing and never writes a second copy.
    """
    settings = app.extensions["workorders.settings"]
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
    from workorders.platform.extensions import db
    from workorders.platform.models import Membership

    with ctx.app.app_context():
        membership = db.session.get(Membership, ctx.payload["membership_id"])
        if membership is None:
            raise PermanentJobError("the membership was removed before the welcome email")
        msg = EmailMessage()
        msg["From"] = SENDER
        msg["To"] = membership.user.email
        msg["Subject"] = f"Welcome to {membership.tenant.name} on workorders"
        roles = ", ".join(membership.roles)
        msg.set_content(
            f"Hello {membership.user.name or membership.user.email},\n\n"
            f"you now have access to {membership.tenant.name} as {roles}.\n"
            "Sign in with this email address; your administrator gives you the password.\n")
        deliver(ctx.app, msg, f"job-{ctx.job_id}-welcome")
