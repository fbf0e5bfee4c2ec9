"""Previewing a notification template: every language it has, rendered over a
made-up case of a case type, and for text messages how many SMS they take.

Pure: the CLI (``workorders definitions preview-notification``) and any page can
show it without a database. The made-up case goes through the same context builder
as real sends (``render.template_context``), with placeholder links, so what
previews is what sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workorders.definitions.model import Bundle, CaseType, NotificationTemplate
from workorders.rules.errors import TemplateRenderError
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.message_text import DEFAULT_TEXT, message_texts
from workorders.rules.render import PLACEHOLDER_LINKS, template_context

#: GSM 03.38's basic characters (one septet each) and its extension (two each)
_GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
              "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = "^{}\\[~]|€\f"


@dataclass(frozen=True, slots=True)
class SmsLength:
    characters: int
    encoding: str  # "GSM-7" or "UCS-2"
    segments: int


def sms_length(text: str) -> SmsLength:
    """How many SMS a text takes: 160 GSM-7 septets in one (153 per part when
    split), else UCS-2 with 70 characters (67 per part)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        septets = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        return SmsLength(len(text), "GSM-7", 1 if septets <= 160 else -(-septets // 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsLength(len(text), "UCS-2", 1 if units <= 70 else -(-units // 67))


@dataclass(frozen=True, slots=True)
class PreviewText:
    language: str  # "" for the template's own text
    subject: str | None
    body: str
    sms: SmsLength | None


@dataclass(frozen=True, slots=True)
class TemplatePreview:
    template: NotificationTemplate
    case_type: str
    texts: tuple[PreviewText, ...]
    problem: str | None = None


def made_up_context(bundle: Bundle, case_type: CaseType) -> dict[str, object]:
    """A made-up, scheduled case of ``case_type`` with a customer and a technician."""
    start = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0) \
        + timedelta(days=1)
    case = {"case_type": case_type.id, "status": case_type.lifecycle.initial,
            "number": f"{case_type.number_prefix}-2026-00042", "created_at": start,
            "scheduled_start": start, "scheduled_end": start + timedelta(hours=3),
            "customer": {"name": "Lena Berg", "email": "lena@example.test",
                         "phone": "+46701234567"},
            "site": {"street": "Storgatan 12", "city": "Umeå", "postal_code": "90325"},
            "fields": {}, "assignee": {"email": "tech@example.test", "name": "Åsa Lind"}}
    document = build_fact_document(case=case, form_id=None, form_data=None, totals=None,
                                   submission_kind=None, actor={"role": "system"})
    return template_context(document, bundle, case_type.id, links=PLACEHOLDER_LINKS)


def preview_template(bundle: Bundle, template: NotificationTemplate,
                     case_type: CaseType) -> TemplatePreview:
    """Every language of ``template`` rendered over a made-up case of ``case_type``;
    a render failure is a sentence in ``problem``, not an exception."""
    try:
        texts = message_texts(template, made_up_context(bundle, case_type))
    except TemplateRenderError as exc:
        return TemplatePreview(template, case_type.id, (), f"the template failed: {exc}")
    return TemplatePreview(template, case_type.id, tuple(
        PreviewText("" if tag == DEFAULT_TEXT else tag, text["subject"], text["body"],
                    sms_length(text["body"]) if template.channel == "sms" else None)
        for tag, text in texts.items()))
