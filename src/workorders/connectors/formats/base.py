"""What a format is: a renderer plus the document data it cannot do without.

Requirements are declared next to each renderer so readiness (the case's blockers
before export) and the renderer cannot disagree. Messages are written for a
coordinator, not a developer: they say what is missing and where to fill it in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..document import InvoiceDocument

#: A predicate over the document (dataclass or JSON mapping, possibly partial).
Applies = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Payload:
    """The exact bytes to deliver, and how to label them."""

    body: bytes
    content_type: str
    filename_ext: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """Document data a format needs: ``path`` (dotted, into the document) or any of
    ``alternatives``; ``applies`` limits it to some documents (e.g. credit notes)."""

    path: str
    message: str
    alternatives: tuple[str, ...] = ()
    applies: Applies | None = field(default=None, compare=False, repr=False)


class Renderer(Protocol):
    def __call__(self, doc: InvoiceDocument, options: Mapping[str, Any],
                 template_context: Mapping[str, Any]) -> Payload: ...


@dataclass(frozen=True, slots=True)
class Format:
    id: str
    title: str
    render: Renderer
    requirements: Callable[[Mapping[str, Any]], list[Requirement]]


def get(data: Any, key: str) -> Any:
    """A key of a JSON mapping or an attribute of a document dataclass, else None."""
    if isinstance(data, Mapping):
        return data.get(key)
    return getattr(data, key, None) if hasattr(data, "__dataclass_fields__") else None


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    current: Any = data
    for part in path.split("."):
        current = get(current, part)
        if current is None:
            return None
    return current


def present(data: Any, requirement: Requirement) -> bool:
    for path in (requirement.path, *requirement.alternatives):
        value = lookup(data, path)
        if value is not None and value not in ("", (), [], {}):
            return True
    return False


def is_credit_note(data: Any) -> bool:
    return get(data, "kind") == "credit_note"


def has_vat_code(*codes: str) -> Applies:
    """Applies when any line (or breakdown entry) uses one of ``codes``."""

    def check(data: Any) -> bool:
        rows = [*(get(data, "lines") or ()), *(get(data, "vat_breakdown") or ())]
        return any(get(r, "vat_code") in codes for r in rows)

    return check


def option_needs(options: Mapping[str, Any], name: str,
                 requirement: Requirement) -> list[Requirement]:
    """The requirement, unless option ``name`` supplies the value some other way.

    An option template that still reads the same fact (``{{ case.customer.erp_id }}``
    for ``buyer.erp_id``) keeps the requirement: the data is needed either way.
    """
    source = options.get(name)
    if not source:
        return [requirement]
    field_name = requirement.path.rsplit(".", 1)[-1]
    return [requirement] if field_name in str(source) else []


BUYER_NAME = Requirement("buyer.name", "The customer's name is missing.")
CREDITED_NUMBER = Requirement(
    "credited_number", "A credit note must name the invoice it credits.",
    applies=is_credit_note)
