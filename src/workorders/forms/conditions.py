"""``visible_if`` / ``required_if`` over submitted data, shared by both paths.

A field whose condition is false is hidden: its value is dropped unvalidated (the
page may keep a stale value after the technician changed their mind) and it is
never required. A condition that looks at a hidden field sees no value there, so
hiding cascades. Values compare by meaning: "2.50" equals "2.5" for decimals, a
multiple choice "equals" an option when that option is among the chosen ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from workorders.definitions.model import Field, FieldCondition, Form

from .values import is_blank

#: counted field types whose ``min`` of 1 or more makes them required
COUNTED = ("photos", "time_entries", "material_lines")


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, str | int | Decimal) and isinstance(expected, str | int | float):
        try:
            return Decimal(str(actual)) == Decimal(str(expected))
        except InvalidOperation:
            return actual == expected
    return bool(actual == expected)


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_same(item, expected) for item in actual)
    return _same(actual, expected)


def holds(condition: FieldCondition, data: Mapping[str, Any]) -> bool:
    """Whether ``condition`` is true for ``data`` (only visible values in it)."""
    actual = data.get(condition.field)
    if condition.op == "present":
        return (not is_blank(actual)) is bool(condition.value)
    if is_blank(actual):
        return condition.op == "not_equals"
    if condition.op == "equals":
        return _matches(actual, condition.value)
    if condition.op == "not_equals":
        return not _matches(actual, condition.value)
    return any(_matches(actual, option) for option in condition.value)


def visible_fields(form: Form, data: Mapping[str, Any]) -> set[str]:
    """Ids of the fields shown for ``data``; cycles of conditions count as shown."""
    shown: dict[str, bool] = {}
    by_id = {f.id: f for f in form.fields}

    def resolve(field: Field, visiting: frozenset[str]) -> bool:
        if field.id in shown:
            return shown[field.id]
        cond = field.visible_if
        if cond is None or field.id in visiting or cond.field not in by_id:
            result = True
        else:
            target = by_id[cond.field]
            seen = resolve(target, visiting | {field.id})
            result = holds(cond, data if seen else {})
        shown[field.id] = result
        return result

    return {f.id for f in form.fields if resolve(f, frozenset())}


def is_required(field: Field, visible_data: Mapping[str, Any]) -> bool:
    """A shown field is required when marked so, when its ``required_if`` holds, or
    when it counts items and its ``min`` is at least 1 (photos: min 1)."""
    if field.required:
        return True
    if field.required_if is not None and holds(field.required_if, visible_data):
        return True
    return field.type in COUNTED and field.min is not None and field.min >= 1


def visible_data(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` reduced to the known, shown fields, in the form's order."""
    shown = visible_fields(form, data)
    return {f.id: data[f.id] for f in form.fields if f.id in shown and f.id in data}
