"""Rendering admin-written templates in rule actions and notifications.

Templates run in the one hardened sandbox (``definitions.sandbox``) that the
validator also compiles them in: ``StrictUndefined`` (an unknown name fails
instead of silently rendering nothing; validation already refuses unknown facts
at upload, so what is left are values missing at run time, e.g. an attribute of
a signature that was not given), ``None`` renders as an empty string, so
``{{ form.leak_test_notes }}`` on a form without notes reads naturally, and
``{{ form.reason or 'see the report' }}`` works because the fact document has
every documented key. Each render is bounded in time, loop items, sizes and
output, so a hostile template fails with a sentence instead of taking the server.

Any failure is a ``TemplateRenderError`` carrying a short message: the caller
turns it into an ``action_failed`` outcome, never into a lost submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workorders.definitions.formatting import formatting_of
from workorders.definitions.model import Bundle
from workorders.definitions.sandbox import FORMATTING_NAME, RenderFailed, render_text
from workorders.definitions.templates import LINK_NAMES, SELLER_NAMES
from workorders.rules.errors import TemplateRenderError

#: placeholders golden tests and simulations render links with (the platform passes
#: real ones, under the same names)
PLACEHOLDER_LINKS = {name: f"<{name.replace('_', ' ')} link>" for name in LINK_NAMES}


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render one template; every failure becomes a TemplateRenderError."""
    try:
        return render_text(source, context)
    except RenderFailed as exc:
        raise TemplateRenderError(exc.message) from exc


def template_context(document: Mapping[str, Any], bundle: Bundle, case_type_id: str, *,
                     links: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The names templates see: the fact document plus ``links`` and ``seller``.

    The platform's rules, golden tests and simulations all build their context
    here, so what a golden test renders is what production renders. Every field
    of the case type's forms and case fields is present (None when not given),
    so ``form.x or 'default'`` never trips StrictUndefined. ``links`` must hold
    exactly ``LINK_NAMES``, the names the validator lets templates read (a
    platform that gave fewer would fail templates validation accepted);
    connector options get no ``links``, and validation refuses them there.
    """
    context = dict(document)
    form = dict(document.get("form") or {})
    for each in bundle.forms_of(case_type_id):
        for field in each.fields:
            form.setdefault(field.id, None)
    context["form"] = form
    case = dict(document.get("case") or {})
    case_type = bundle.case_type(case_type_id)
    fields = dict(case.get("fields") or {})
    for field in case_type.fields if case_type else ():
        fields.setdefault(field.id, None)
    case["fields"] = fields
    context["case"] = case
    seller = bundle.seller
    context["seller"] = {key: getattr(seller, key, None) for key in SELLER_NAMES}
    context[FORMATTING_NAME] = formatting_of(bundle)  # for |date, |money...: tenant's locale
    if links is not None:
        if set(links) != set(LINK_NAMES):
            raise ValueError(f"templates are given the links {', '.join(LINK_NAMES)}; got "
                             f"{', '.join(sorted(links))}")
        context["links"] = dict(links)
    return context
