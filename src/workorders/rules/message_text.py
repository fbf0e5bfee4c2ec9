"""A notification's subject and body in every language its template has.

The platform picks one text per recipient (their language, else the tenant's), so
every language is rendered here, where the facts are, with dates and numbers
written the way that language writes them. Pure: golden tests, previews and the
platform all render through this one function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from workorders.definitions.formatting import Formatting
from workorders.definitions.model import NotificationTemplate, best_locale
from workorders.definitions.sandbox import FORMATTING_NAME
from workorders.rules.render import render

#: the key of the template's own text (the tenant's language) in ``message_texts``
DEFAULT_TEXT = ""


def _one(subject: str | None, body: str, context: Mapping[str, Any]) -> dict[str, Any]:
    return {"subject": render(subject, context).strip() if subject else None,
            "body": render(body, context)}


def message_text(template: NotificationTemplate, context: Mapping[str, Any],
                 tag: str) -> dict[str, Any]:
    """``{subject, body}`` in one language: ``DEFAULT_TEXT`` for the template's own
    text, else one of its ``locales`` (dates and numbers written that language's
    way). Raises ``TemplateRenderError`` like every template render."""
    if tag == DEFAULT_TEXT:
        return _one(template.subject, template.body, context)
    local = template.locales[tag]
    localised = dict(context)
    formatting = context.get(FORMATTING_NAME)
    if isinstance(formatting, Formatting):
        localised[FORMATTING_NAME] = replace(formatting, locale=tag)
    return _one(local.subject, local.body, localised)


def message_texts(template: NotificationTemplate,
                  context: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"": {subject, body}, "sv": {...}, ...}``: the template's own text under
    ``DEFAULT_TEXT`` and each of its ``locales``, rendered over ``context``.
    Raises ``TemplateRenderError`` like every template render."""
    return {tag: message_text(template, context, tag)
            for tag in (DEFAULT_TEXT, *template.locales)}


def text_for_reader(texts: Mapping[str, Mapping[str, Any]],
                    locale: str | None) -> Mapping[str, Any]:
    """The rendered text a reader of ``locale`` gets (see ``best_locale``)."""
    tag = best_locale([t for t in texts if t != DEFAULT_TEXT], locale)
    return texts[tag] if tag is not None else texts[DEFAULT_TEXT]
