"""Traces in plain words: the explanation people read on the exception queue,
the case page and the form preview.

``describe`` turns one ``TraceEntry`` into a sentence such as "Hours 17 is more
than 16" or "Customer signature is missing", never "no = no" (issue 15, "Words,
not ids"). Ops read with the one wording of ``definitions.conditions.OP_WORDS``;
given ``TraceNames`` (the bundle and the case type), facts read by the form's
and the case type's labels, states, forms and choices by their labels; without
them the fact's path is turned into words. A boolean comparison reads as the
answer ("Asked for a follow-up: no").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from workorders.definitions.conditions import OP_WORDS
from workorders.definitions.field_words import PART_LABELS
from workorders.definitions.model import Bundle, CaseType, Field
from workorders.definitions.vocabulary import PREVIOUS, PREVIOUS_WORDS
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
    "case.number": "Case number",
    "case.scheduled_start": "Scheduled start",
    "case.scheduled_end": "Scheduled end",
    "case.created_at": "Booking time",
    "submission.kind": "Kind of report",
    "actor.role": "Acting role",
    "actor.roles": "Acting person's roles",
    "actor.email": "Acting person's email",
    "form_id": "Form",
}
#: how a comparison that did not hold reads: "Hours 12 is not more than 16"
_NEGATED = {"eq": "is not", "ne": "is", "in": "is none of", "not_in": "is one of",
            "contains": "does not contain", "matches": "does not match the pattern"}
_KIND_WORDS = {"final": "final report", "draft": "draft", "correction": "correction"}
_INDEX = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


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


class TraceNames:
    """The labels one case type's traces are read with: its forms' fields, its
    own fields, its states, the bundle's forms and case types."""

    def __init__(self, bundle: Bundle, case_type_id: str | None = None) -> None:
        self.bundle = bundle
        self.case_type: CaseType | None = (bundle.case_type(case_type_id)
                                           if case_type_id else None)
        types = (self.case_type,) if self.case_type is not None else tuple(bundle.case_types)
        self._form_fields: dict[str, Field] = {}
        self._case_fields: dict[str, Field] = {}
        for case_type in types:
            for f in case_type.fields:
                self._case_fields.setdefault(f.id, f)
            for form in bundle.forms_of(case_type.id):
                for f in form.fields:
                    self._form_fields.setdefault(f.id, f)

    def form_field(self, field_id: str) -> Field | None:
        return self._form_fields.get(field_id)

    def case_field(self, field_id: str) -> Field | None:
        return self._case_fields.get(field_id)

    def state(self, state_id: str) -> str:
        types = (self.case_type,) if self.case_type is not None else self.bundle.case_types
        for case_type in types:
            state = case_type.lifecycle.state(state_id)
            if state is not None:
                return state.label
        return _words(state_id)


def _words(token: str) -> str:
    text = token.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def _field_of(fact: str, names: TraceNames | None) -> Field | None:
    """The form or case field a fact compares directly (not a key of its rows)."""
    if names is None:
        return None
    plain = _INDEX.sub("", fact)
    head, _, rest = plain.partition(".")
    if head == "form" and "." not in rest:
        return names.form_field(rest)
    if plain.startswith("case.fields.") and plain.count(".") == 2:
        return names.case_field(plain.rsplit(".", 1)[1])
    return None


def label(fact: str, names: TraceNames | None = None) -> str:
    """A person's name for a fact path: "Total hours", "Customer signature",
    "Material, row 3: Quantity" (``form.materials[2].quantity``)."""
    if fact in _LABELS:
        return _LABELS[fact]
    head, _, rest = fact.partition(".")
    if head == PREVIOUS and rest:  # a reschedule's old value: "Scheduled start before the move"
        return f"{label(f'case.{rest}', names)} {PREVIOUS_WORDS}"
    tokens = [t for t in _INDEX.sub(r".#\1", fact).split(".") if t]
    if tokens and tokens[0] == "form":
        tokens = tokens[1:]
        lookup = names.form_field if names is not None else None
    elif tokens[:2] == ["case", "fields"]:
        tokens = tokens[2:]
        lookup = names.case_field if names is not None else None
    elif tokens and tokens[0] in ("case", "customer", "site", "assignee"):
        return _words(" ".join(tokens[1:] if tokens[0] == "case" else tokens))
    else:
        return _words(" ".join(t for t in tokens if not t.startswith("#")))
    if not tokens:
        return "The form"
    found = lookup(tokens[0]) if lookup is not None else None
    parts = [found.label if found is not None else _words(tokens[0])]
    for token in tokens[1:]:
        parts.append(f"row {int(token[1:]) + 1}" if token.startswith("#")
                     else PART_LABELS.get(token, _words(token)))
    if len(parts) > 1 and not tokens[-1].startswith("#"):
        return f"{', '.join(parts[:-1])}: {parts[-1]}"
    return ", ".join(parts)


def _show(value: Any, fact: str = "", names: TraceNames | None = None,
          field: Field | None = None) -> str:
    """A value as people read it: yes/no, a state's or a choice's label, a list."""
    if isinstance(value, list | tuple):
        shown = [_show(v, fact, names, field) for v in value]
        return shown[0] if len(shown) == 1 else (
            f"{', '.join(shown[:-1])} or {shown[-1]}" if shown else "nothing")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "filled in"
    text = str(value)
    if isinstance(value, str) and not _NUMBER.fullmatch(text):
        if fact == "case.status" and names is not None:
            return f"“{names.state(text)}”"
        if fact == "form_id" and names is not None:
            form = names.bundle.form(text)
            return f"“{form.title if form else _words(text)}”"
        if fact == "case.type" and names is not None:
            case_type = names.bundle.case_type(text)
            return f"“{case_type.name if case_type else _words(text)}”"
        if fact == "submission.kind":
            return f"“{_KIND_WORDS.get(text, _words(text))}”"
        if field is not None and field.options:
            option = next((o for o in field.options if o.value == text), None)
            if option is not None:
                return f"“{option.label}”"
        return f"“{text}”"
    return text


def describe(entry: TraceEntry, names: TraceNames | None = None) -> str:
    """One sentence for one trace entry, true or false, with the reason if any."""
    name = label(entry.fact, names)
    field = _field_of(entry.fact, names)
    if entry.op in ("missing", "present"):
        if entry.note == "missing":
            return f"{name} is missing"
        shown = entry.actual if isinstance(entry.actual, str | int | float | bool
                                           | Decimal) else None
        return f"{name} is filled in" + (
            f" ({_show(shown, entry.fact, names, field)})" if shown not in (None, "") else "")
    if entry.op in ("any_item", "all_items"):
        which = "any row" if entry.op == "any_item" else "every row"
        verdict = "matches" if entry.result else "does not match"
        note = (entry.note or str(entry.actual)).replace("items", "rows").replace("item", "row")
        return f"{name}: {which} {verdict} ({note})"
    words = OP_WORDS.get(entry.op, entry.op.replace("_", " "))
    wanted = _show(entry.value, entry.fact, names, field)
    if entry.note == "missing":
        return f"{name} is missing, so it cannot be checked ({words} {wanted})"
    if isinstance(entry.actual, bool) and isinstance(entry.value, bool) \
            and entry.op in ("eq", "ne"):
        answer = f"{name}: {_show(entry.actual)}"
        asked = wanted if entry.op == "eq" else f"anything but {wanted}"
        return answer if entry.result else f"{answer} (the rule asks for {asked})"
    if not entry.result:
        words = _NEGATED.get(entry.op, words.replace("is ", "is not ", 1))
    sentence = f"{name} {_show(entry.actual, entry.fact, names, field)} {words} {wanted}"
    return f"{sentence} ({entry.note})" if entry.note else sentence
