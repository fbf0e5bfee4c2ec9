"""Building one notification email: a plain-text part and an HTML part made from it,
threaded per case, with a one-click unsubscribe for customers.

Admins write plain text; the HTML part is that text, escaped, in paragraphs with its
links made clickable, inside a small accessible layout. Nothing in the text can add
markup (it is escaped before anything else). Threading: every message names the
case's first message in ``In-Reply-To`` and ``References``, so mail clients keep a
case's messages together. Customers' status messages carry ``List-Unsubscribe``
and ``List-Unsubscribe-Post`` (RFC 8058), so their mail client offers an
unsubscribe button that needs no login.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

#: the configured From address; a tenant's name is shown in front of it
SENDER = "workorders <no-reply@workorders.invalid>"

_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]"


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    #: the Message-ID chosen by the caller: ``<notification-42.tenant-3@host>``
    message_id: str
    html: str | None = None
    #: the Message-ID of the case's first message to this person
    thread_root: str | None = None
    #: customers' status messages: where one click opts out
    unsubscribe_url: str | None = None
    #: shown as the From name (the tenant), the address stays the configured sender
    sender_name: str | None = None
    reply_to: str | None = None
    #: the ``lang`` of the HTML part
    lang: str = "en"
    #: the footer line beside the unsubscribe link, in the reader's language
    unsubscribe_words: str = "Stop these status messages"


def one_line(text: str) -> str:
    """A header value on one line: a newline in a subject must never start a header."""
    return " ".join(text.split())


def _linked(line: str) -> str:
    """One line of raw text, escaped, with its http(s) URLs as links. Each piece is
    escaped on its own, so a URL's ``&`` or quotes never mix with the escaping."""
    out: list[str] = []
    end = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            url, tail = url[:-1], url[-1] + tail
        safe = html.escape(url, quote=True)
        out += [html.escape(line[end:match.start()]), f'<a href="{safe}">{safe}</a>',
                html.escape(tail)]
        end = match.end()
    out.append(html.escape(line[end:]))
    return "".join(out)


def text_to_html(text: str) -> str:
    """The text as HTML paragraphs: everything escaped (so ``<script>`` stays text),
    blank lines make paragraphs, single newlines ``<br>``, and http(s) URLs links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(_linked(line) for line in p.splitlines()) + "</p>"
                     for p in paragraphs)


def _layout(body: str, email: OutgoingEmail) -> str:
    footer = ""
    if email.unsubscribe_url:
        url = html.escape(email.unsubscribe_url, quote=True)
        words = html.escape(email.unsubscribe_words)
        footer = (f'<p style="margin-top:2em;font-size:13px;color:#596173">'
                  f'<a href="{url}" style="color:#596173">{words}</a></p>')
    return (f'<!doctype html>\n<html lang="{html.escape(email.lang, quote=True)}">'
            f'<head><meta charset="utf-8"><title>{html.escape(one_line(email.subject))}'
            f'</title></head>\n<body style="margin:0;padding:16px;background:#ffffff">'
            f'<div style="max-width:600px;font-family:Arial,Helvetica,sans-serif;'
            f'font-size:16px;line-height:1.5;color:#1d2433">\n{body}\n{footer}</div>'
            f"</body></html>\n")


def build_message(email: OutgoingEmail, sender: str = SENDER) -> EmailMessage:
    """The multipart/alternative message, ready for SMTP or the outbox."""
    msg = EmailMessage()
    name, address = parseaddr(sender)
    if email.sender_name:
        name = one_line(email.sender_name)
    msg["From"] = str(Address(display_name=name, addr_spec=address)) if name else address
    msg["To"] = one_line(email.to)
    msg["Subject"] = one_line(email.subject) or "A message about your case"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = email.message_id
    if email.thread_root and email.thread_root != email.message_id:
        msg["In-Reply-To"] = email.thread_root
        msg["References"] = email.thread_root
    if email.reply_to:
        msg["Reply-To"] = one_line(email.reply_to)
    text = email.text
    if email.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = f"{text.rstrip()}\n\n--\n{email.unsubscribe_words}: {email.unsubscribe_url}\n"
    msg.set_content(text)
    msg.add_alternative(_layout(email.html or text_to_html(email.text), email), subtype="html")
    return msg
