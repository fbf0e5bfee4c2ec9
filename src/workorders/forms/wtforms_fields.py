"""WTForms building blocks for the browser path: raw text fields and their checks.

The browser sends only text, so every leaf keeps the text exactly as typed and
checks it with its own Python rules, configured from the same compiled schema
the API path uses (one compile, two implementations; the property test holds
them together). ``decode`` turns valid text into the API's JSON types, so the
browser's data has the API's shape. Invalid text stays text: the API would have
received exactly that string and rejected it at the same pointer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import wtforms
from wtforms import widgets

from . import lines
from . import messages as msg
from .values import (
    ATTACHMENT_PATTERN,
    INTEGER_PATTERN,
    TIME_PATTERN,
    decimal_messages,
    is_date,
    is_datetime,
    is_email,
)

_INTEGER = re.compile(INTEGER_PATTERN)
_FORMATS = {"date": (is_date, msg.DATE), "date-time": (is_datetime, msg.DATETIME),
            "email": (is_email, msg.EMAIL)}
_PATTERNS = {TIME_PATTERN: msg.TIME, ATTACHMENT_PATTERN: msg.ATTACHMENT}


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def as_text(value: Any) -> str | None:
    """An API value as the text a browser input holds (for pre-filling drafts)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RawField(wtforms.Field):
    """One text input: ``data`` is the submitted text, unconverted (None if absent)."""

    widget = widgets.TextInput()

    def __init__(self, *args: Any, schema: Mapping[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema: Mapping[str, Any] = schema or {}
        self.errors: list[str] = []

    def process_data(self, value: Any) -> None:
        self.data = as_text(value)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = str(valuelist[0]) if valuelist else None

    def _value(self) -> str:
        return self.data or ""


class MultiField(wtforms.Field):
    """A multiple choice: every submitted value, in order, duplicates kept."""

    widget = widgets.ListWidget(prefix_label=False)

    def __init__(self, *args: Any, schema: Mapping[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema: Mapping[str, Any] = schema or {}
        self.errors: list[str] = []

    def process_data(self, value: Any) -> None:
        self.data = [str(v) for v in value] if isinstance(value, list | tuple) else []

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v) for v in valuelist]


def _string_messages(text: str, schema: Mapping[str, Any]) -> list[str]:
    if "x-decimal" in schema:
        return decimal_messages(text, schema["x-decimal"])
    found: list[str] = []
    if "maxLength" in schema and len(text) > schema["maxLength"]:
        found.append(msg.too_long(schema["maxLength"]))
    pattern = schema.get("pattern")
    if pattern is not None and not _regex(pattern).search(text):
        found.append(_PATTERNS.get(pattern, msg.PATTERN))
    fmt = _FORMATS.get(schema.get("format", ""))
    if fmt is not None and not fmt[0](text):
        found.append(fmt[1])
    unit = lines.unit_problem(text) if schema.get("x-unit") else None
    return found + ([unit] if unit else [])


def leaf_messages(text: str, schema: Mapping[str, Any]) -> list[str]:
    """Every problem of one submitted text under its property schema."""
    if "enum" in schema:
        return [] if text in schema["enum"] else [msg.one_of(schema.get("x-labels") or ())]
    kind = schema.get("type")
    if kind == "boolean":
        return [] if text in ("true", "false") else [msg.BOOLEAN]
    if kind == "integer":
        if not _INTEGER.match(text):
            return [msg.WHOLE_NUMBER]
        number = int(text)
        low, high = schema.get("minimum"), schema.get("maximum")
        return ([msg.at_least(low)] if low is not None and number < low else []) + \
               ([msg.at_most(high)] if high is not None and number > high else [])
    return _string_messages(text, schema)


def decode(text: str, schema: Mapping[str, Any]) -> Any:
    """Valid text as the API's JSON value (int, bool); anything else unchanged."""
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.match(text):
        return int(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def entry_form_class(name: str, schema: Mapping[str, Any]) -> type[wtforms.Form]:
    """The sub-form of one object (time entry, material line, signature, approval):
    one raw field per fixed key of the object's schema."""
    attrs: dict[str, Any] = {key: RawField(key.replace("_", " ").capitalize(), schema=sub)
             for key, sub in schema["properties"].items()}
    attrs["object_schema"] = schema
    return type(name, (wtforms.Form,), attrs)
