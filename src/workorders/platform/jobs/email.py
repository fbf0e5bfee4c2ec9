"""Email delivery: SMTP when configured, otherwise ``.eml`` files in the instance.

Writing files keeps the embedded demo honest: every message the product would
send can be opened and read, without a mail server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from flask import Flask

from workorders.platform.config import settings_of
from workorders.platform.jobs.email_message import SENDER
from workorders.platform.jobs.registry import JobContext, PermanentJobError
from workorders.platform.private_paths import write_private_file

__all__ = ["SENDER", "deliver", "send_welcome_email"]

#: seconds to wait for the mail server (connecting, and each answer); a time-out is retried
SMTP_TIMEOUT = 30.0


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


def _smtp_options(url: str) -> tuple[str, str, int, str, bool]:
    """(scheme, host, port, starttls, verify) of ``WORKORDERS_SMTP_URL``.

    ``smtp://host:port`` upgrades with STARTTLS when the server offers it
    (``?starttls=require`` refuses to send without it, ``?starttls=never`` never
    tries); ``smtps://`` is TLS from the first byte. ``?verify=false`` turns the
    certificate check off, for a test server with a self-made certificate only.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise PermanentJobError(
            f"WORKORDERS_SMTP_URL must be smtp:// or smtps://, not {parts.scheme}")
    query = dict(parse_qsl(parts.query))
    starttls = query.get("starttls", "auto")
    if starttls not in ("auto", "require", "never"):
        raise PermanentJobError("WORKORDERS_SMTP_URL: starttls must be auto, require or never")
    verify = query.get("verify", "true").lower() not in ("false", "0", "no")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    return parts.scheme, parts.hostname or "localhost", port, starttls, verify


def _send_smtp(url: str, message: EmailMessage) -> None:
    """Hand the message to the SMTP server. A refused connection, a time-out or a
    4xx answer raise an error the job machinery retries; a 5xx refusal of the
    message or its recipient raises ``PermanentJobError``: retrying cannot help."""
    scheme, host, port, starttls, verify = _smtp_options(url)
    parts = urlsplit(url)
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
            if scheme == "smtps" else smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT))
        with smtp:
            if scheme == "smtp" and starttls != "never":
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                elif starttls == "require":
                    raise PermanentJobError(
                        f"the mail server {host} does not offer STARTTLS, and "
                        "WORKORDERS_SMTP_URL requires it (starttls=require)")
            if parts.username:
                smtp.ehlo_or_helo_if_needed()
                if not smtp.has_extn("auth"):
                    raise PermanentJobError(
                        f"the mail server {host} does not offer a login, but "
                        "WORKORDERS_SMTP_URL has a user name (some servers offer a login "
                        "only after STARTTLS)")
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentJobError(_refused(exc.recipients)) from exc
        raise
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        if exc.smtp_code >= 500:
            raise PermanentJobError(f"the mail server refused the message: {exc.smtp_code} "
                                    f"{_said(exc.smtp_error)}") from exc
        raise
    except smtplib.SMTPAuthenticationError as exc:
        if exc.smtp_code < 500:  # 454: the server cannot check it just now
            raise
        raise PermanentJobError("the mail server refused the user name and password in "
                                "WORKORDERS_SMTP_URL") from exc


def _said(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"the mail server refused {address}: {code} {_said(answer)}"
                     for address, (code, answer) in recipients.items())


def send_welcome_email(ctx: JobContext) -> None:
    """Tell a person they were added to a tenant. A login without a password yet is
    invited to set its own (signed, single-use link); a login that has one is told
    to use it: nobody else ever chooses or learns it."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Membership
    from workorders.platform.services.customer_links import external_url
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
                   "use for workorders, or the one your administrator gave you):\n"
                   f"{external_url('web.login')}\n")
        msg.set_content(
            f"Hello {membership.name or user.email},\n\n"
            f"you now have access to {membership.tenant.name} as {roles}.\n{how}")
        deliver(ctx.app, msg, f"job-{ctx.job_id}-welcome")
