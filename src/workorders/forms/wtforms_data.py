"""Reading a submitted generated form back in the API's terms: data and errors.

Kept apart from the class builder so the checks can use it without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import wtforms

from workorders.definitions.model import Field

from .errors import FieldError, pointer
from .formdata import LINE_TYPES, OBJECT_TYPES
from .values import is_blank, normalize
from .wtforms_fields import MultiField, RawField, decode

if TYPE_CHECKING:
    from .wtforms_build import GeneratedForm


class PathMessage(str):
    """An error message that knows its pointer relative to the field holding it."""

    suffix: str

    def __new__(cls, message: str, suffix: str) -> PathMessage:
        made = super().__new__(cls, message)
        made.suffix = suffix
        return made


def attr(field_id: str) -> str:
    return f"f_{field_id}"


def object_value(sub: wtforms.Form) -> dict[str, Any]:
    """A sub-form (line entry, signature) as its API object, blank keys left out."""
    return {name: decode(f.data, f.schema) for name, f in sub._fields.items()
            if isinstance(f, RawField) and f.data is not None and f.data != ""}


def field_value(field: Field, wt: Any) -> Any:
    if field.type in LINE_TYPES:
        return [object_value(entry.form) for entry in wt.entries]
    if field.type == "photos":
        return [entry.data or "" for entry in wt.entries]
    if field.type in OBJECT_TYPES:
        return object_value(wt.form)
    if isinstance(wt, MultiField):
        return list(wt.data or [])
    return None if wt.data is None else decode(wt.data, wt.schema)


def order_key(order: dict[str, int]) -> Any:
    def key(e: FieldError) -> tuple[int, str]:
        head = e.path.split("/")[1] if e.path.count("/") else ""
        return order.get(head, len(order)), e.path
    return key


def data_from_wtforms(form_instance: GeneratedForm) -> dict[str, Any]:
    """The submitted browser data in the API's shape (hidden fields included: the
    validation drops them exactly as the API path does)."""
    out = {}
    for field in form_instance.definition.fields:
        value = field_value(field, form_instance._fields[attr(field.id)])
        if not is_blank(value):
            out[field.id] = value
    result: dict[str, Any] = normalize(out)
    return result


def _leaf_errors(base: str, errors: Any) -> list[FieldError]:
    return [FieldError(base + getattr(m, "suffix", ""), str(m))
            for m in errors or () if isinstance(m, str)]


def _sub_errors(base: str, sub: wtforms.Form) -> list[FieldError]:
    found = _leaf_errors(base, sub.form_errors)
    for name, f in sub._fields.items():
        found += _leaf_errors(f"{base}{pointer(name)}", f.errors)
    return found


def _field_errors(field: Field, wt: Any) -> list[FieldError]:
    base = pointer(field.id)
    found = _leaf_errors(base, wt.errors)
    if field.type in LINE_TYPES:
        for i, entry in enumerate(wt.entries):
            found += _sub_errors(f"{base}/{i}", entry.form)
    elif field.type == "photos":
        for i, entry in enumerate(wt.entries):
            found += _leaf_errors(f"{base}/{i}", entry.errors)
    elif field.type in OBJECT_TYPES:
        found = _sub_errors(base, wt.form)
    return found


def form_errors_to_paths(form_instance: GeneratedForm) -> list[FieldError]:
    """Every error held by the WTForms fields, at the API's JSON pointers."""
    found = [FieldError(getattr(m, "suffix", ""), str(m)) for m in form_instance.form_errors]
    known = set()
    for field in form_instance.definition.fields:
        known.add(attr(field.id))
        found += _field_errors(field, form_instance._fields[attr(field.id)])
    for name, wt in form_instance._fields.items():
        if name not in known:
            found += _leaf_errors(pointer(wt.short_name), wt.errors)
    order = {f.id: i for i, f in enumerate(form_instance.definition.fields)}
    return sorted(set(found), key=order_key(order))


def form_warnings(form_instance: GeneratedForm) -> list[FieldError]:
    """What a draft still lacks (empty for a final submission or before validate())."""
    return list(form_instance.warnings)
