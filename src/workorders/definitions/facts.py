"""The facts a rule (or template) can see for one case type, with their types.

This is the contract between the definitions, the rules engine and the forms: the
rules package builds its fact document from exactly these paths, and validation
checks every ``fact`` and template reference against them. Objects are listed both
as a whole (``case.customer``, only ``present``/``missing`` apply) and key by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import vocabulary as v
from .model import Bundle, Field

KINDS = ("number", "text", "boolean", "date", "datetime", "list", "object")


@dataclass(frozen=True, slots=True)
class FactType:
    """``kind`` is one of :data:`KINDS`; lists have an ``item`` type, objects ``keys``.

    ``choices`` lists the values a text fact can take when they are known (states,
    choice options, labour codes), so comparisons with impossible values are caught.
    """

    kind: str
    item: FactType | None = None
    keys: Mapping[str, FactType] = field(default_factory=dict)
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "list" and self.item is not None:
            inner = "item" if self.item.kind == "object" else self.item.kind
            return f"list of {inner}"
        return self.kind


NUMBER, TEXT, BOOLEAN = FactType("number"), FactType("text"), FactType("boolean")
DATE, DATETIME = FactType("date"), FactType("datetime")


def _obj(**keys: FactType) -> FactType:
    return FactType("object", keys=MappingProxyType(keys))


def _text_of(choices: tuple[str, ...]) -> FactType:
    return FactType("text", choices=choices)


ADDRESS = _obj(**dict.fromkeys(v.ADDRESS_KEYS, TEXT))
CUSTOMER = _obj(**{k: ADDRESS if k == "address" else TEXT for k in v.CUSTOMER_KEYS})
SITE = _obj(**dict.fromkeys(v.SITE_KEYS, TEXT))
PERSON = _obj(email=TEXT, name=TEXT)
SIGNATURE = _obj(name=TEXT, image=TEXT, signed_at=DATETIME)
APPROVAL = _obj(name=TEXT, decision=_text_of(("approved", "rejected")), timestamp=DATETIME)
_MATERIAL = _obj(article=TEXT, description=TEXT, quantity=NUMBER, unit=TEXT, unit_price=NUMBER,
                 billable=BOOLEAN, note=TEXT)
_SCALARS = {"text": TEXT, "textarea": TEXT, "integer": NUMBER, "decimal": NUMBER,
            "money": NUMBER, "boolean": BOOLEAN, "date": DATE, "datetime": DATETIME}


def time_entry_type(labor_codes: tuple[str, ...]) -> FactType:
    return _obj(date=DATE, hours=NUMBER, start=TEXT, end=TEXT, labor=_text_of(labor_codes),
                technician=TEXT, billable=BOOLEAN, note=TEXT)


def field_fact_type(f: Field, labor_codes: tuple[str, ...] = ()) -> FactType:
    """The type a rule sees for one form or case field's value."""
    if f.type in _SCALARS:
        return _SCALARS[f.type]
    if f.type == "choice":
        text = _text_of(tuple(o.value for o in f.options))
        return FactType("list", item=text) if f.multiple else text
    if f.type == "photos":
        return FactType("list", item=TEXT)
    if f.type == "time_entries":
        return FactType("list", item=time_entry_type(f.labor or labor_codes))
    if f.type == "material_lines":
        return FactType("list", item=_MATERIAL)
    return SIGNATURE if f.type == "signature" else APPROVAL


def _flatten(prefix: str, fact: FactType, out: dict[str, FactType]) -> None:
    out[prefix] = fact
    for key, child in fact.keys.items():
        _flatten(f"{prefix}.{key}", child, out)


def fact_types(bundle: Bundle, case_type_id: str) -> Mapping[str, FactType]:
    """Every fact path of a case type and its type (empty for an unknown case type).

    Form fields are the union over the case type's forms; where two forms use one
    field id with different types, the first form in the case type's list wins
    (validation warns about such clashes).
    """
    case_type = bundle.case_type(case_type_id)
    if case_type is None:
        return MappingProxyType({})
    labor_codes = tuple(lab.code for lab in bundle.catalog.labor)
    states = tuple(s.id for s in case_type.lifecycle.states)
    out: dict[str, FactType] = {
        "case.status": _text_of(states), "case.type": _text_of((case_type.id,)),
        "case.number": TEXT, "case.scheduled_start": DATETIME, "case.scheduled_end": DATETIME,
        "case.created_at": DATETIME,
    }
    _flatten("case.assignee", PERSON, out)
    _flatten("case.customer", CUSTOMER, out)
    _flatten("case.site", SITE, out)
    case_fields = {f.id: field_fact_type(f, labor_codes) for f in case_type.fields}
    _flatten("case.fields", _obj(**case_fields), out)
    form_ids: list[str] = []
    for form in bundle.forms_of(case_type_id):
        form_ids.append(form.id)
        for f in form.fields:
            if f"form.{f.id}" not in out:
                _flatten(f"form.{f.id}", field_fact_type(f, labor_codes), out)
    out["form_id"] = _text_of(tuple(form_ids))
    out.update({f"totals.{t}": NUMBER for t in v.TOTALS})
    out["submission.kind"] = _text_of(v.SUBMISSION_KINDS)
    out["actor.role"] = _text_of((*v.ROLES, v.SYSTEM_ROLE))
    out["actor.email"] = TEXT
    out.update(previous_fact_types(out))
    return MappingProxyType(out)


def previous_fact_types(facts: Mapping[str, FactType]) -> dict[str, FactType]:
    """``previous.*``: the types of the ``case.*`` facts a reschedule moves, copied
    from the case's own entries so the two can never disagree."""
    out: dict[str, FactType] = {}
    for key in v.PREVIOUS_KEYS:
        for path, fact in facts.items():
            if path == f"case.{key}" or path.startswith(f"case.{key}."):
                out[f"{v.PREVIOUS}.{path[len('case.'):]}"] = fact
    return out


def is_previous(fact: str) -> bool:
    """True for ``previous`` and every ``previous.*`` path (rules on reschedule only)."""
    return fact == v.PREVIOUS or fact.startswith(f"{v.PREVIOUS}.")


#: The fact list for the docs: path pattern -> type and meaning.
FACT_DOCS: tuple[tuple[str, str, str], ...] = (
    ("case.status", "text", "current state id"),
    ("case.type", "text", "case type id"),
    ("case.number", "text", "case number, e.g. INST-2026-00001"),
    ("case.created_at", "datetime", "when the case was booked"),
    ("case.scheduled_start / case.scheduled_end", "datetime", "planned visit"),
    ("case.assignee", "object", "{email, name} of the assigned technician"),
    ("case.customer", "object", "{" + ", ".join(v.CUSTOMER_KEYS) + "}; address is "
     "{" + ", ".join(v.ADDRESS_KEYS) + "}"),
    ("case.site", "object", "{" + ", ".join(v.SITE_KEYS) + "}"),
    ("case.fields.<id>", "by field type", "case-level fields of the case type"),
    ("form.<field id>", "by field type", "the submitted form's data"),
    ("form_id", "text", "id of the submitted form"),
    ("totals.<name>", "number", ", ".join(v.TOTALS) + " (computed before evaluation)"),
    ("submission.kind", "text", ", ".join(v.SUBMISSION_KINDS)),
    ("actor.role", "text", "role of the person (or system) acting"),
    ("actor.email", "text", "email of the person acting"),
    ("previous.scheduled_start / previous.scheduled_end", "datetime",
     "the planned visit before the move (rules on reschedule only)"),
    ("previous.assignee", "object", "{email, name} of the technician before the move "
     "(rules on reschedule only)"),
)
