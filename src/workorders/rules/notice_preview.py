"""Previewing a notification template: every language it has, rendered over a
made-up case of a case type, and for text messages how many SMS they take.

Pure: the CLI (``workorders definitions preview-notification``) and any page can
show it without a database. The made-up case goes through the same context builder
as real sends (``render.template_context``), with placeholder links, so what
previews is what sends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from workorders.definitions.model import Bundle, CaseType, NotificationTemplate, best_locale
from workorders.definitions.notice_defaults import (
    BUILT_IN_TEMPLATES,
    notice_on_enter,
    template_named,
)
from workorders.errors import NotFound
from workorders.rules.errors import TemplateRenderError
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.message_text import DEFAULT_TEXT, message_text
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
    #: why this language did not render (a sentence); subject and body are then empty
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class TemplatePreview:
    template: NotificationTemplate
    case_type: str
    case_type_name: str
    texts: tuple[PreviewText, ...]
    #: a note for the reader (e.g. "no text in fi: a Finnish reader gets ...")
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON the API answers with (the template by id, channel and kind)."""
        return {"template": self.template.id, "channel": self.template.channel,
                "kind": self.template.kind, "case_type": self.case_type, "note": self.note,
                "texts": [{"language": t.language, "subject": t.subject, "body": t.body,
                           "problem": t.problem,
                           "sms": None if t.sms is None else {
                               "characters": t.sms.characters, "encoding": t.sms.encoding,
                               "segments": t.sms.segments}} for t in self.texts]}

    @property
    def problems(self) -> list[str]:
        """Each language that failed, as a sentence naming it."""
        return [f"{_language_words(t.language)} failed: {t.problem}"
                for t in self.texts if t.problem]


class PreviewRefused(NotFound):
    """No such template or case type; the message is a sentence listing the known ones."""


def _language_words(tag: str) -> str:
    return f"the text in {tag}" if tag else "the template’s own text"


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


def _rendered(template: NotificationTemplate, context: dict[str, object],
              tag: str) -> PreviewText:
    try:
        text = message_text(template, context, tag)
    except TemplateRenderError as exc:
        return PreviewText(tag, None, "", None, str(exc))
    return PreviewText(tag, text["subject"], text["body"],
                       sms_length(text["body"]) if template.channel == "sms" else None)


def preview_template(bundle: Bundle, template: NotificationTemplate,
                     case_type: CaseType) -> TemplatePreview:
    """Every language of ``template`` rendered over a made-up case of ``case_type``;
    a language that fails to render carries its sentence in ``problem`` (the others
    still render), never an exception."""
    context = made_up_context(bundle, case_type)
    return TemplatePreview(template, case_type.id, case_type.name, tuple(
        _rendered(template, context, tag) for tag in (DEFAULT_TEXT, *template.locales)))


def sending_case_types(bundle: Bundle, template_id: str) -> list[CaseType]:
    """The case types whose cases may send ``template_id``, in the bundle's order:
    those a ``notify`` rule naming it applies to, and those with a state that a
    transition enters whose message (as written or by default) it is; every case
    type when none sends it."""
    sending = {ct.id for rule in bundle.rules for ct in bundle.case_types
               if rule.applies_to(ct.id) and any(
                   a.kind == "notify" and a.params.get("template") == template_id
                   for a in rule.then)}
    for ct in bundle.case_types:
        entered = {t.to for t in ct.lifecycle.transitions}  # booking enters no state
        if any((p := notice_on_enter(bundle, ct, state)) is not None
               and p.template.id == template_id for state in entered):
            sending.add(ct.id)
    return [ct for ct in bundle.case_types if ct.id in sending] or list(bundle.case_types)


def preview_notification(bundle: Bundle, template_id: str, *, case_type_id: str | None = None,
                         locale: str | None = None) -> TemplatePreview:
    """Template ``template_id`` (the bundle's, else a built-in one) over a made-up case
    of ``case_type_id``; by default of the first case type that sends it where every
    language renders (a rule's ``form.*`` fields exist only on its case type's
    forms), else of the first that sends it. With ``locale``, only the text a reader
    of that language gets, and when the template has no text in it, a ``note``
    saying the reader gets the template's own text. Raises ``PreviewRefused`` for
    an unknown template or case type."""
    template = template_named(bundle, template_id)
    if template is None:
        known = sorted({*bundle.notifications.templates, *BUILT_IN_TEMPLATES})
        raise PreviewRefused(f"There is no notification template '{template_id}'; the "
                             f"templates are: {', '.join(known)}.")
    if case_type_id:
        case_type = bundle.case_type(case_type_id)
        if case_type is None:
            raise PreviewRefused(f"There is no case type '{case_type_id}'; the case types "
                                 f"are: {', '.join(c.id for c in bundle.case_types)}.")
        preview = preview_template(bundle, template, case_type)
    else:
        previews = (preview_template(bundle, template, ct)
                    for ct in sending_case_types(bundle, template_id))
        first = next(previews)
        preview = first if not first.problems else next(
            (p for p in previews if not p.problems), first)
    if not locale:
        return preview
    tag = best_locale(template.locales, locale) or DEFAULT_TEXT
    note = None if tag else (f"'{template_id}' has no text in {locale}: a reader of "
                             f"{locale} gets the template’s own text.")
    return replace(preview, texts=tuple(t for t in preview.texts if t.language == tag),
                   note=note)
