"""The format registry: render a document, and say what a format needs.

``render_payload`` refuses a document that lacks required data (raising
:class:`MissingData` with the coordinator-facing messages) rather than producing a
payload the receiver will reject; ``missing_requirements`` gives readiness the same
list before anyone presses export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..document import InvoiceDocument
from ..errors import MissingData, UnknownFormat
from . import csv_format, erpnext, fortnox, generic_json, peppol
from .base import Format, Payload, Requirement, present

FORMATS: dict[str, Format] = {f.id: f for f in (
    generic_json.FORMAT, csv_format.FORMAT, fortnox.FORMAT, erpnext.FORMAT, peppol.FORMAT)}


def get_format(format_id: str) -> Format:
    try:
        return FORMATS[format_id]
    except KeyError:
        raise UnknownFormat(f"unknown format '{format_id}'; known: "
                            f"{', '.join(FORMATS)}") from None


def required_fields(format_id: str, options: Mapping[str, Any] | None = None) -> list[Requirement]:
    """Every piece of document data the format needs (some only for some documents)."""
    return get_format(format_id).requirements(options or {})


def missing_requirements(format_id: str, options: Mapping[str, Any] | None,
                         document: InvoiceDocument | Mapping[str, Any]) -> list[Requirement]:
    """The requirements a (possibly partial, JSON-shaped) document does not meet."""
    return [r for r in required_fields(format_id, options)
            if (r.applies is None or r.applies(document)) and not present(document, r)]


def render_payload(format_id: str, doc: InvoiceDocument, options: Mapping[str, Any] | None,
                   template_context: Mapping[str, Any] | None = None) -> Payload:
    """The payload for ``doc`` in format ``format_id``."""
    fmt = get_format(format_id)
    missing = missing_requirements(format_id, options, doc)
    if missing:
        raise MissingData(format_id, list(missing))
    return fmt.render(doc, options or {}, template_context or {})


__all__ = ["FORMATS", "Format", "Payload", "Requirement", "get_format", "missing_requirements",
           "render_payload", "required_fields"]
