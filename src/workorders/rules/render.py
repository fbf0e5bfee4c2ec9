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

from workorders.definitions.model import Bundle
from workorders.definitions.sandbox import RenderFailed, render_text
from workorders.rules.errors import TemplateRenderError

#: placeholders golden tests render links with (the platform passes real ones)
PLACEHOLDER_LINKS = {"status_page": "<status page link>", "case": "<case link>",
                     "approval": "<approval link>"}
SELLER_KEYS = ("name", "org_number", "vat_id", "peppol_id", "email", "phone")


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render one template; every failure becomes a TemplateRenderError."""
    try:
        return render_text(source, context)
    except RenderFailed as exc:
        raise TemplateRenderError(exc.message) from exc


def template_context(document: Mapping[str, Any], bundle: Bundle, case_type_id: str, *,
                     links: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The names templates see: the fact document plus ``links`` and ``seller``.

    Every field of the case type's forms and case fields is present (None when
    not given), so ``form.x or 'default'`` never trips StrictUndefined. ``links``
    (status_page, case, approval) come from the platform; without them a
    template using a link fails to render (``action_failed``), by design.
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
    context["seller"] = {key: getattr(seller, key, None) for key in SELLER_KEYS}
    if links is not None:
        context["links"] = dict(links)
    return context
