"""Traces in plain words: the explanation people read on the exception queue.

``describe`` turns one ``TraceEntry`` into a sentence such as
"Total hours 9 > 8"; labels for the well-known facts are spelled out, other
paths are shown as written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workorders.rules.model import TraceEntry

_LABELS = {
    "totals.hours": "Total hours",
    "totals.billable_hours": "Billable hours",
    "totals.labor_amount": "Labour amount",
    "totals.material_amount": "Material amount",
    "totals.net_amount": "Net amount",
    "totals.vat_amount": "VAT amount",
    "totals.gross_amount": "Gross amount",
    "case.status": "Case status",
    "case.type": "Case type",
    "submission.kind": "Submission kind",
    "actor.role": "Actor role",
    "form_id": "Form",
}
_SYMBOLS = {
    "eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
    "in": "is one of", "not_in": "is not one of", "contains": "contains",
    "matches": "matches",
}
#: how a false comparison reads: "Case status booked is not one of [...]"
_NEGATED = {"in": "is not one of", "not_in": "is one of", "contains": "does not contain",
            "matches": "does not match"}


_SCALARS = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A JSON-able copy: Decimals as strings, tuples as lists."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def label(fact: str) -> str:
    """A person's name for a fact path: "Total hours", "Form customer signature"."""
    if fact in _LABELS:
        return _LABELS[fact]
    words = fact.replace("_", " ").replace(".", " ")
    return words[:1].upper() + words[1:]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "nothing"
    return str(value)


def describe(entry: TraceEntry) -> str:
    """One sentence for one trace entry, true or false, with the reason if any."""
    name = label(entry.fact)
    if entry.op in ("missing", "present"):
        state = "is missing" if entry.note == "missing" else f"is present ({_show(entry.actual)})"
        return f"{name} {state}"
    if entry.op in ("any_item", "all_items"):
        which = "any item" if entry.op == "any_item" else "every item"
        verdict = "matches" if entry.result else "does not match"
        return f"{name}: {which} {verdict} ({entry.note or entry.actual})"
    symbol = _SYMBOLS.get(entry.op, entry.op)
    if entry.note == "missing":
        return f"{name} is missing, so \"{symbol} {_show(entry.value)}\" is false"
    if not entry.result:
        symbol = _NEGATED.get(entry.op, f"is not {symbol}")
    sentence = f"{name} {_show(entry.actual)} {symbol} {_show(entry.value)}"
    return f"{sentence} ({entry.note})" if entry.note else sentence
