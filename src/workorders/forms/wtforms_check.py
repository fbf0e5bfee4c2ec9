"""The API's rules applied to a submitted WTForms form, errors kept on its fields.

Same steps as :func:`validate_submission`: unknown posted names are errors,
hidden fields are skipped, required ones checked, then every value with the leaf
checks of :mod:`.wtforms_fields` and the line rules of :mod:`.lines`. Messages land
in the WTForms fields' ``errors`` (where templates show them); in a draft the
*missing* ones go to ``form.warnings`` with their pointers instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import wtforms

from workorders.definitions.model import Field

from . import lines
from . import messages as msg
from .conditions import is_required, visible_fields
from .errors import FieldError, pointer
from .formdata import LINE_TYPES, OBJECT_TYPES
from .wtforms_data import PathMessage, attr, data_from_wtforms
from .wtforms_fields import MultiField, RawField, leaf_messages

if TYPE_CHECKING:
    from .wtforms_build import GeneratedForm


class Report:
    """Sends a missing value to the warnings (draft) or to the field's errors."""

    def __init__(self, form: GeneratedForm) -> None:
        self.draft, self.warnings = form.draft, form.warnings

    def add(self, errors: list[Any], path: str, message: str, missing: bool) -> None:
        if missing and self.draft:
            self.warnings.append(FieldError(path, message))
        else:
            errors.append(message)


def _reset(wt: Any) -> None:
    if isinstance(wt, wtforms.FormField):
        wt.form.form_errors = []
        for sub in wt.form._fields.values():
            sub.errors = []
        return
    wt.errors = []
    for entry in getattr(wt, "entries", ()):
        _reset(entry)


def _check_object(sub: Any, schema: Mapping[str, Any], value: Mapping[str, Any], base: str,
                  report: Report) -> None:
    for key, f in sub._fields.items():
        if isinstance(f, RawField) and key in value:
            f.errors.extend(leaf_messages(f.data or "", f.schema))
    for key in schema.get("required", ()):
        if key not in value:
            report.add(sub[key].errors, f"{base}/{key}", msg.REQUIRED, True)
    for trigger, needed in schema.get("dependentRequired", {}).items():
        for key in needed if trigger in value else ():
            if key not in value:
                report.add(sub[key].errors, f"{base}/{key}", msg.REQUIRED, True)
    for problem in lines.object_problems(value, schema):
        report.add(sub[problem.key].errors, f"{base}/{problem.key}", problem.message,
                   problem.missing)


def _check_count(wt: Any, schema: Mapping[str, Any], count: int, base: str,
                 report: Report) -> None:
    noun = schema.get("x-noun", "item")
    if "minItems" in schema and count < schema["minItems"]:
        report.add(wt.errors, base, msg.min_items(schema["minItems"], noun), True)
    if "maxItems" in schema and count > schema["maxItems"]:
        wt.errors.append(msg.max_items(schema["maxItems"], noun))


def _check_field(field: Field, wt: Any, value: Any, schema: Mapping[str, Any],
                 report: Report) -> None:
    base = pointer(field.id)
    if field.type in LINE_TYPES:
        for i, entry in enumerate(wt.entries):
            _check_object(entry.form, schema["items"], value[i], f"{base}/{i}", report)
        _check_count(wt, schema, len(wt.entries), base, report)
    elif field.type == "photos":
        for entry in wt.entries:
            entry.errors.extend(leaf_messages(entry.data or "", entry.schema))
        if len(set(value)) != len(value):
            wt.errors.append(msg.UNIQUE)
        _check_count(wt, schema, len(wt.entries), base, report)
    elif field.type in OBJECT_TYPES:
        _check_object(wt.form, schema, value, base, report)
    elif isinstance(wt, MultiField):
        for i, item in enumerate(wt.data):
            wt.errors.extend(PathMessage(m, f"/{i}") for m in leaf_messages(item, schema["items"]))
        if len(set(wt.data)) != len(wt.data):
            wt.errors.append(msg.UNIQUE)
    else:
        wt.errors.extend(leaf_messages(wt.data, schema))


def _unknown(form: GeneratedForm, key: str, shown: set[str]) -> FieldError | None:
    """The error for a posted name no field takes, or None when a field takes it."""
    head, *rest = key.split("-")
    field = form.definition.field(head)
    if field is None:
        known = key in form._fields or head in _extra_names(form)
        return None if known else FieldError(pointer(head), msg.UNKNOWN_FIELD)
    if head not in shown:
        return None
    prop = form.schema["properties"][head]
    if field.type in LINE_TYPES and len(rest) == 2 and rest[0].isdigit():
        if rest[1] in prop["items"]["properties"]:
            return None
        indices = sorted({int(k.split("-")[1]) for k in form.posted
                          if k.startswith(head + "-") and k.split("-")[1].isdigit()})
        hint = prop["items"].get("x-hints", {}).get(rest[1], msg.UNKNOWN_FIELD)
        return FieldError(pointer(head, indices.index(int(rest[0])), rest[1]), hint)
    if field.type == "photos" and len(rest) == 1 and rest[0].isdigit():
        return None
    if field.type in OBJECT_TYPES and rest:
        return None if rest[0] in prop["properties"] and len(rest) == 1 \
            else FieldError(pointer(head, "-".join(rest)), msg.UNKNOWN_FIELD)
    simple = not rest and field.type not in (*LINE_TYPES, "photos")
    return None if simple else FieldError(pointer(head), msg.UNKNOWN_FIELD)


def _extra_names(form: GeneratedForm) -> set[str]:
    own = {attr(f.id) for f in form.definition.fields}
    return {wt.short_name for name, wt in form._fields.items() if name not in own}


def run_checks(form: GeneratedForm) -> None:
    """Validate ``form`` in place: errors on its fields, draft warnings on the form."""
    definition, report = form.definition, Report(form)
    form.form_errors, form.warnings[:] = [], []
    data = data_from_wtforms(form)
    shown = visible_fields(definition, data)
    cleaned = {f.id: data[f.id] for f in definition.fields if f.id in shown and f.id in data}
    for key in form.submitted:
        name = key[len(form._prefix):] if key.startswith(form._prefix) else None
        unknown = _unknown(form, name, shown) if name is not None else None
        if unknown is not None:
            form.form_errors.append(PathMessage(unknown.message, unknown.path))
    for field in definition.fields:
        wt = form._fields[attr(field.id)]
        _reset(wt)
        if field.id not in shown:
            continue
        if field.id not in cleaned:
            if is_required(field, cleaned):
                target = wt.form.form_errors if field.type in OBJECT_TYPES else wt.errors
                report.add(target, pointer(field.id), msg.REQUIRED, True)
            continue
        _check_field(field, wt, cleaned[field.id], form.schema["properties"][field.id], report)
    for name, wt in form._fields.items():
        if name not in {attr(f.id) for f in definition.fields}:
            wt.validate(form)
