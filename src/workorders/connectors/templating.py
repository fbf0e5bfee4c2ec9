"""Option templates and the article/unit maps shared by every format.

String options (``buyer_reference``, ``customer_number``, CSV column values...)
are Jinja templates written by tenant admins. They render in the one hardened
sandbox (``definitions.sandbox``, bounded in time and size like rule templates)
with ``StrictUndefined``: an unknown fact or an unsafe attribute
(``''.__class__``) fails loudly with the option's name instead of exporting an
empty reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workorders.definitions.sandbox import RenderFailed, render_text

from .document import InvoiceDocument, Line
from .errors import OptionError


def render_template(source: str, context: Mapping[str, Any], option: str) -> str:
    """Render one admin-written template; any failure is an :class:`OptionError`."""
    try:
        return render_text(source, context).strip()
    except RenderFailed as exc:
        raise OptionError(option, f"the template failed: {exc.message}") from exc


def invoice_context(doc: InvoiceDocument) -> dict[str, Any]:
    """The ``invoice`` names the definition validator allows in connector templates."""
    return {
        "number": doc.number,
        "date": doc.issue_date.isoformat(),
        "due_date": doc.due_date.isoformat() if doc.due_date else None,
        "kind": doc.kind,
        "credited_number": doc.credited_number,
    }


def option_context(doc: InvoiceDocument, template_context: Mapping[str, Any]) -> dict[str, Any]:
    """The platform's facts (``case``, ``seller``, ``links``...) plus ``invoice``."""
    return {**template_context, "invoice": invoice_context(doc)}


def text_option(options: Mapping[str, Any], name: str, context: Mapping[str, Any]) -> str | None:
    """A rendered string option, or None when absent or rendering to an empty string."""
    source = options.get(name)
    if source is None:
        return None
    if not isinstance(source, str):
        raise OptionError(name, f"expected text, got {type(source).__name__}")
    return render_template(source, context, name) or None


def mapping_option(options: Mapping[str, Any], name: str) -> Mapping[str, str]:
    value = options.get(name) or {}
    if not isinstance(value, Mapping):
        raise OptionError(name, "expected a mapping like {install: '1001'}")
    return value


def erp_article(line: Line, article_map: Mapping[str, str]) -> str | None:
    """The ERP's article number: the connector's map first, then the document's own."""
    if line.article_number is not None and line.article_number in article_map:
        return str(article_map[line.article_number])
    return line.erp_article


def erp_unit(line: Line, unit_map: Mapping[str, str]) -> str | None:
    """The ERP's unit for a UN/ECE code, or None when the connector maps none."""
    mapped = unit_map.get(line.unit_code)
    return None if mapped is None else str(mapped)
