"""The jsonschema validator for compiled form schemas, and its errors in our words.

Extends Draft 2020-12 with the ``x-`` keywords of :mod:`.schema` and a strict
format checker (dates, date-times with offset, emails), then turns each
jsonschema error into :class:`FieldError`\\ s at the pointer of the value a person
must fix: a missing key is reported at the key, not at its parent object.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from . import lines
from . import messages as msg
from .errors import FieldError, pointer
from .values import (
    ATTACHMENT_PATTERN,
    TIME_PATTERN,
    decimal_bound_messages,
    is_date,
    is_datetime,
    is_email,
)

#: keywords whose errors mean "not complete yet" (warnings in a draft)
MISSING_KEYWORDS = frozenset({"required", "dependentRequired", "minItems", "x-missing"})

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date")
def _date(instance: object) -> bool:
    return not isinstance(instance, str) or is_date(instance)


@FORMATS.checks("date-time")
def _datetime(instance: object) -> bool:
    return not isinstance(instance, str) or is_datetime(instance)


@FORMATS.checks("email")
def _email(instance: object) -> bool:
    return not isinstance(instance, str) or is_email(instance)


_Errors = Iterator[ValidationError]


def _x_decimal(v: Any, spec: Mapping[str, Any], instance: Any, schema: Any) -> _Errors:
    for message in decimal_bound_messages(instance, spec):
        yield ValidationError(message)


def _x_unit(v: Any, enabled: bool, instance: Any, schema: Any) -> _Errors:
    problem = lines.unit_problem(instance) if enabled else None
    if problem:
        yield ValidationError(problem)


def _problems(found: list[lines.Problem]) -> _Errors:
    for problem in found:
        yield ValidationError(problem.message, path=[problem.key],
                              validator="x-missing" if problem.missing else "x-line")


def _x_either(v: Any, spec: Any, instance: Any, schema: Any) -> _Errors:
    if isinstance(instance, dict):
        yield from _problems(lines.either(instance, spec))


def _x_after(v: Any, keys: Any, instance: Any, schema: Any) -> _Errors:
    if isinstance(instance, dict):
        yield from _problems(lines.after(instance, keys))


def _x_catalog(v: Any, spec: Any, instance: Any, schema: Any) -> _Errors:
    if isinstance(instance, dict):
        yield from _problems(lines.catalog(instance, spec))


FormValidator = validators.extend(Draft202012Validator, {
    "x-decimal": _x_decimal, "x-unit": _x_unit, "x-either": _x_either, "x-after": _x_after,
    "x-catalog": _x_catalog,
})


def make_validator(schema: dict[str, Any]) -> Any:
    return FormValidator(schema, format_checker=FORMATS)


def _type_message(expected: str, schema: Mapping[str, Any]) -> str:
    if expected == "string":
        return msg.DECIMAL_AS_TEXT if "x-decimal" in schema else msg.TEXT
    return {"integer": msg.WHOLE_NUMBER, "number": msg.NUMBER, "boolean": msg.BOOLEAN,
            "array": msg.LIST, "object": msg.NOT_AN_OBJECT}.get(expected, msg.TEXT)


def _message(error: ValidationError) -> str:
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    kind, value = error.validator, _any(error.validator_value)
    if kind == "type":
        return _type_message(str(value), schema)
    if kind in ("pattern", "maxLength") and "x-decimal" in schema:
        return msg.DECIMAL_FORMAT
    if kind in ("pattern", "format") and "x-message" in schema:
        # the schema names its sentence (an email, a Peppol id): the booking page
        # and the API then say the same words about the same value
        return str(schema["x-message"])
    if kind == "pattern":
        return {TIME_PATTERN: msg.TIME, ATTACHMENT_PATTERN: msg.ATTACHMENT}.get(
            str(value), msg.PATTERN)
    simple: dict[str, Any] = {
        "maxLength": lambda: msg.too_long(int(value)),
        "format": lambda: {"date": msg.DATE, "date-time": msg.DATETIME}.get(value, msg.EMAIL),
        "enum": lambda: msg.one_of(schema.get("x-labels") or [str(v) for v in value]),
        "uniqueItems": lambda: msg.UNIQUE,
        "minItems": lambda: msg.min_items(int(value), schema.get("x-noun", "item")),
        "maxItems": lambda: msg.max_items(int(value), schema.get("x-noun", "item")),
        "minimum": lambda: msg.at_least(value), "maximum": lambda: msg.at_most(value),
    }
    return simple[str(kind)]() if kind in simple else error.message


def schema_error(error: ValidationError) -> tuple[str, str]:
    """(pointer, message) for a JSON Schema error outside a form (API bodies,
    imported rows), in the forms' one wording: a missing key is blamed at the key
    ("This field is required."), an extra key is an unknown field, a choice lists
    what may be picked, a wrong type says what to send with an example."""
    tokens = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        # one error per missing key, each saying which ("'title' is a required property")
        missing = next((k for k in _any(error.validator_value) if k not in instance
                        and error.message.startswith(repr(k))), None)
        if missing is not None:
            return pointer(*tokens, missing), msg.REQUIRED
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        extras = [k for k in instance if k not in known]
        if len(extras) == 1:
            return pointer(*tokens, extras[0]), msg.UNKNOWN_FIELD
    return pointer(*tokens), _message(error)


def _any(value: object) -> Any:
    return value


def translate(error: ValidationError) -> Iterator[tuple[FieldError, bool]]:
    """(error at the pointer to fix, whether it only means 'missing')."""
    base = [*error.absolute_path]
    kind, value = str(error.validator), _any(error.validator_value)
    instance = error.instance if isinstance(error.instance, dict) else {}
    if kind == "required":
        for key in value:
            if key not in instance:
                yield FieldError(pointer(*base, key), msg.REQUIRED), True
    elif kind == "dependentRequired":
        for trigger, needed in value.items():
            for key in needed if trigger in instance else ():
                if key not in instance:
                    yield FieldError(pointer(*base, key), msg.REQUIRED), True
    elif kind == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        hints = error.schema.get("x-hints", {}) if isinstance(error.schema, dict) else {}
        for key in instance:
            if key not in known:
                yield FieldError(pointer(*base, key), hints.get(key, msg.UNKNOWN_FIELD)), False
    else:
        yield FieldError(pointer(*base), _message(error)), kind in MISSING_KEYWORDS
