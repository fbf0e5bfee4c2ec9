"""Form definition -> Draft 2020-12 JSON Schema for API submission data.

The schema is plain JSON (it can be stored with the published version and shown
to integrators) plus a few ``x-`` keywords for what standard keywords cannot say;
our validator enforces them, other tools ignore them and are merely less strict.
``x-visible-if`` / ``x-required-if`` are annotations: whether a field is shown and
required depends on other fields, so :func:`validate_submission` decides it.
Decimals (quantities, hours, prices, money) are strings, never JSON numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from workorders.definitions.codelists import currency_decimals
from workorders.definitions.model import Bundle, Field, FieldCondition, Form

from . import messages as msg
from .values import (
    ATTACHMENT_PATTERN,
    DECIMAL_MAX_LENGTH,
    DECIMAL_PATTERN,
    TIME_PATTERN,
    money_text,
    plain,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: length caps where the definition sets none (storage is not unbounded)
TEXT_MAX, TEXTAREA_MAX, NOTE_MAX, NAME_MAX = 1000, 20000, 1000, 200
MAX_HOURS, MAX_QUANTITY = "24", "1000000"
STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
ATTACHMENT: dict[str, Any] = {"type": "string", "pattern": ATTACHMENT_PATTERN}
TIME: dict[str, Any] = {"type": "string", "pattern": TIME_PATTERN}


def decimal(**spec: Any) -> dict[str, Any]:
    """A decimal string; ``spec`` (bounds as strings, ``places``) goes to ``x-decimal``."""
    return {"type": "string", "pattern": DECIMAL_PATTERN, "maxLength": DECIMAL_MAX_LENGTH,
            "x-decimal": {k: v for k, v in spec.items() if v is not None}}


def text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


def _bound(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _condition(cond: FieldCondition) -> dict[str, Any]:
    value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
    return {"field": cond.field, cond.op: value}


def _scalar(field: Field, bundle: Bundle) -> dict[str, Any]:
    kind = field.type
    if kind in ("text", "textarea"):
        schema = text(field.max_length or (TEXT_MAX if kind == "text" else TEXTAREA_MAX))
        return schema | ({"pattern": field.pattern} if field.pattern else {})
    if kind == "integer":
        bounds = {"minimum": field.min, "maximum": field.max}
        return {"type": "integer"} | {k: _number(v) for k, v in bounds.items() if v is not None}
    if kind in ("decimal", "money"):
        places = currency_decimals(bundle.currency) if kind == "money" else None
        return decimal(minimum=_bound(field.min), maximum=_bound(field.max), places=places)
    if kind == "choice":
        options = {"enum": [o.value for o in field.options],
                   "x-labels": [o.label for o in field.options]}
        return {"type": "array", "items": options, "uniqueItems": True} if field.multiple \
            else options
    return {"boolean": BOOLEAN, "date": DATE, "datetime": DATETIME}[kind]


def _counted(item: dict[str, Any], field: Field, noun: str, draft: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": item, "x-noun": noun}
    if field.type == "photos":
        schema["uniqueItems"] = True
    if field.min is not None and field.min > 0 and not draft:
        schema["minItems"] = int(field.min)
    if field.max is not None:
        schema["maxItems"] = int(field.max)
    return schema


def _obj(props: dict[str, Any], required: list[str], draft: bool, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props,
                              "additionalProperties": False}
    if required and not draft:
        schema["required"] = required
    return schema | extra


def _either(groups: list[list[str]], missing: str, conflict: str, draft: bool) -> dict[str, Any]:
    return {"groups": groups, "required": not draft, "missing": missing, "conflict": conflict}


def time_entry(field: Field, bundle: Bundle, draft: bool) -> dict[str, Any]:
    codes = list(field.labor) or [lab.code for lab in bundle.catalog.labor]
    props = {"date": DATE, "hours": decimal(exclusiveMinimum="0", maximum=MAX_HOURS, places=2),
             "start": TIME, "end": TIME, "labor": {"enum": codes, "x-labels": [
                 lab.name if (lab := bundle.labor(c)) else c for c in codes]},
             "technician": {"type": "string", "format": "email"}, "billable": BOOLEAN,
             "note": text(NOTE_MAX)}
    extra: dict[str, Any] = {"x-either": _either([["hours"], ["start", "end"]],
                                                 msg.HOURS_OR_SPAN, msg.HOURS_AND_SPAN, draft),
                             "x-after": ["start", "end"]}
    if not draft:
        extra["dependentRequired"] = {"start": ["end"], "end": ["start"]}
    return _obj(props, ["date", "labor"], draft, **extra)


def material_line(field: Field, bundle: Bundle, draft: bool) -> dict[str, Any]:
    places = max(currency_decimals(bundle.currency), 4)
    props: dict[str, Any] = {
        "article": STRING, "quantity": decimal(exclusiveMinimum="0", maximum=MAX_QUANTITY,
                                               places=3),
        "unit": {"type": "string", "x-unit": True},
        "unit_price": decimal(minimum="0", places=places), "billable": BOOLEAN,
        "note": text(NOTE_MAX)}
    minor = currency_decimals(bundle.currency)
    articles = {a.number: {"unit": a.unit, "price": money_text(a.price, minor)}
                for a in bundle.catalog.articles}
    extra: dict[str, Any] = {"x-catalog": {"articles": articles,
                                           "price_override": field.price_override}}
    required = ["quantity"]
    if field.allow_free_text:
        props["description"] = text(500)
        extra["x-either"] = _either([["article"], ["description"]], msg.ARTICLE_OR_TEXT,
                                    msg.ARTICLE_AND_TEXT, draft)
        if not draft:
            extra["dependentRequired"] = {"description": ["unit_price"]}
    else:
        required.insert(0, "article")
        extra["x-hints"] = {"description": msg.FREE_TEXT_NOT_ALLOWED}
    return _obj(props, required, draft, **extra)


def _field_schema(field: Field, bundle: Bundle, draft: bool) -> dict[str, Any]:
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "photos": lambda: _counted(ATTACHMENT, field, "photo", draft),
        "time_entries": lambda: _counted(time_entry(field, bundle, draft), field, "entry",
                                         draft),
        "material_lines": lambda: _counted(material_line(field, bundle, draft), field, "line",
                                           draft),
        "signature": lambda: _obj({"image": ATTACHMENT, "name": text(NAME_MAX),
                                   "signed_at": DATETIME}, ["image", "name"], draft),
        "approval": lambda: _obj({"name": text(NAME_MAX),
                                  "decision": {"enum": ["approved", "rejected"],
                                               "x-labels": ["Approve", "Reject"]},
                                  "timestamp": DATETIME}, ["name", "decision"], draft),
    }
    schema = builders[field.type]() if field.type in builders else _scalar(field, bundle)
    schema = {"title": field.label, **schema}
    if field.help:
        schema["description"] = field.help
    if field.visible_if is not None:
        schema["x-visible-if"] = _condition(field.visible_if)
    if field.required_if is not None:
        schema["x-required-if"] = _condition(field.required_if)
    return schema


def compile_form_schema(form: Form, bundle: Bundle, *, draft: bool) -> dict[str, Any]:
    """The JSON Schema of ``form``'s submission data; ``draft`` leaves out what only
    makes a submission complete (required keys, minimum counts)."""
    required = [f.id for f in form.fields if f.required]
    return {
        "$schema": DIALECT, "$id": f"urn:workorders:form:{form.id}:{'draft' if draft else 'final'}",
        "title": form.title, "type": "object",
        "properties": {f.id: _field_schema(f, bundle, draft) for f in form.fields},
        "additionalProperties": False, "x-required": [] if draft else required,
    }
