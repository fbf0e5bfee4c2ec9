"""The document as JSON: ``to_json_dict`` and its inverse ``from_json_dict``.

Decimals become strings (``"695.00"``, never floats, as the API contract says),
dates ISO 8601, tuples lists, and keys keep the dataclass field order so the
output is byte-stable for golden files and idempotency keys. The walk is driven
by the type hints of :mod:`.document`, the same source the JSON Schema comes
from, so adding a field cannot be forgotten in one of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from workorders.definitions.money import decimal_text as plain

from .document import SCHEMA_VERSION, InvoiceDocument
from .errors import DocumentError


def to_json_dict(document: Any) -> Any:
    """A JSON-ready value (dicts in field order) for the document or any part of it."""
    if dataclasses.is_dataclass(document) and not isinstance(document, type):
        return {f.name: to_json_dict(getattr(document, f.name))
                for f in dataclasses.fields(document)}
    if isinstance(document, tuple | list):
        return [to_json_dict(x) for x in document]
    if isinstance(document, Decimal):
        return plain(document)
    if isinstance(document, dt.date):  # datetime is a date too
        return document.isoformat()
    return document


def from_json_dict(data: Mapping[str, Any]) -> InvoiceDocument:
    """Rebuild a document from :func:`to_json_dict` output; errors name the path."""
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DocumentError("schema_version", f"expected '{SCHEMA_VERSION}', got {version!r}")
    document: InvoiceDocument = _load(InvoiceDocument, data, "")
    return document


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise DocumentError(path or "/", "expected an object")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise DocumentError(f"{path}/{unknown[0]}", "unknown field")
    values = {}
    for name, hint in _hints(cls).items():
        if name in data:
            values[name] = _value(hint, data[name], f"{path}/{name}")
    try:
        return cls(**values)
    except TypeError as exc:
        raise DocumentError(path or "/", f"missing field: {exc}") from exc


def _value(hint: Any, raw: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if raw is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(inner[0], raw, path)
    if origin is tuple:
        if not isinstance(raw, list):
            raise DocumentError(path, "expected a list")
        item = typing.get_args(hint)[0]
        return tuple(_value(item, x, f"{path}/{i}") for i, x in enumerate(raw))
    if dataclasses.is_dataclass(hint):
        return _load(hint, raw, path)
    return _scalar(hint, raw, path)


def _scalar(hint: Any, raw: Any, path: str) -> Any:
    try:
        if hint is Decimal and isinstance(raw, str):
            return Decimal(raw)
        if hint is dt.datetime and isinstance(raw, str):
            return dt.datetime.fromisoformat(raw)
        if hint is dt.date and isinstance(raw, str):
            return dt.date.fromisoformat(raw)
    except (ValueError, InvalidOperation) as exc:
        raise DocumentError(path, f"{raw!r} is not a valid {hint.__name__}") from exc
    if hint in (str, int) and type(raw) is hint:
        return raw
    raise DocumentError(path, f"expected {getattr(hint, '__name__', hint)}, got {raw!r}")
