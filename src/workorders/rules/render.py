"""Rendering admin-written templates in rule actions and notifications.

Templates run in Jinja's sandbox with ``StrictUndefined``: an unknown name fails
instead of silently rendering nothing (validation already refuses unknown facts
at upload; what is left are values missing at run time, e.g. an attribute of a
signature that was not given). ``None`` renders as an empty string, so
``{{ form.leak_test_notes }}`` on a form without notes reads naturally, and
``{{ form.reason or 'see the report' }}`` works because the fact document has
every documented key. ``*`` and ``**`` are intercepted so a hostile template
cannot allocate gigabytes (``{{ 'x' * 10**9 }}``), and output is capped.

Any failure is a ``TemplateRenderError`` carrying a short message: the caller
turns it into an ``action_failed`` outcome, never into a lost submission.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from workorders.definitions.model import Bundle
from workorders.rules.errors import TemplateRenderError

#: longest rendered text (a notification body is far shorter)
MAX_OUTPUT = 20_000
#: largest operand size for ``*`` / ``**`` results
_MAX_PRODUCT = 10_000
#: placeholders golden tests render links with (the platform passes real ones)
PLACEHOLDER_LINKS = {"status_page": "<status page link>", "case": "<case link>",
                     "approval": "<approval link>"}
SELLER_KEYS = ("name", "org_number", "vat_id", "peppol_id", "email", "phone")


def _finalize(value: Any) -> Any:
    return "" if value is None else value


class _Environment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("exponent too large")
            return operator.pow(left, right)
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, str | list | tuple) and isinstance(count, int) \
                    and len(sized) * count > _MAX_PRODUCT:
                raise SecurityError("repetition too large")
        return operator.mul(left, right)


_ENV = _Environment(undefined=StrictUndefined, autoescape=False, finalize=_finalize)


@lru_cache(maxsize=1024)
def _compile(source: str) -> Template:
    return _ENV.from_string(source)


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render one template; every failure becomes a TemplateRenderError."""
    try:
        text = _compile(source).render(context)
    except TemplateError as exc:
        raise TemplateRenderError(exc.message or type(exc).__name__) from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        raise TemplateRenderError(f"{type(exc).__name__}: {exc}") from exc
    if len(text) > MAX_OUTPUT:
        raise TemplateRenderError(f"the text is longer than {MAX_OUTPUT} characters")
    return text


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
