"""The instance outbox as tests read it: without WORKORDERS_SMTP_URL every email is an
``.eml`` file and, without an SMS gateway, every text message an ``.sms.txt`` file,
named after its notification (``notification-<id>``). One copy of how to find and
parse them, so a change of naming or format is made here."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from flask import Flask


def mail_dir(app: Flask) -> Path:
    folder: Path = app.extensions["workorders.settings"].mail_dir
    return folder


def _number(path: Path) -> int:
    found = re.match(r"notification-(\d+)", path.name)
    return int(found.group(1)) if found else 0


def notification_files(app: Flask, suffix: str) -> list[Path]:
    """The outbox files of notifications ending in ``suffix``, oldest first."""
    folder = mail_dir(app)
    if not folder.exists():
        return []
    return sorted(folder.glob(f"notification-*{suffix}"), key=_number)


def sms_texts(app: Flask) -> list[str]:
    """Each text message written to the outbox ("To: <number>" then the text)."""
    return [p.read_text(encoding="utf-8") for p in notification_files(app, ".sms.txt")]


def emails(app: Flask) -> list[EmailMessage]:
    """Each notification email written to the outbox, parsed."""
    return [parse(p.read_bytes()) for p in notification_files(app, ".eml")]


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def plain_text(message: EmailMessage) -> str:
    """The text/plain body of a message (multipart or not)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, message
    return str(part.get_content())  # type: ignore[attr-defined]


def outbox_texts(app: Flask) -> list[str]:
    """Every notification in the outbox as text: emails' headers and plain body, and
    text messages as written; what a test searches for links or names."""
    texts = [f"To: {m['To']}\nSubject: {m['Subject']}\n\n{plain_text(m)}" for m in emails(app)]
    return texts + sms_texts(app)


def approval_email(app: Flask) -> EmailMessage:
    """The one email asking a customer for their approval."""
    found = [m for m in emails(app) if re.search(r"/approve/\S+", plain_text(m))]
    assert len(found) == 1, [m["Subject"] for m in emails(app)]
    return found[0]


def approval_path(app: Flask) -> str:
    """The path of the signed approval link in the customer's email."""
    link = re.search(r"https?://[^/\s]+(/approve/\S+)", plain_text(approval_email(app)))
    assert link
    return link.group(1)
