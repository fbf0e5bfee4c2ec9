"""The JSON Schema (Draft 2020-12) of the invoice-ready document, derived from the
dataclasses in :mod:`.document`.

Deriving it (instead of writing it by hand) keeps the schema, ``to_json_dict`` and
the classes in step. The result is also shipped as package data
(``schema/invoice-document.schema.json``) and copied to
``docs/invoice-document.schema.json``; a test checks all three are identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from .document import SCHEMA_VERSION, InvoiceDocument

SCHEMA_FILE = "invoice-document.schema.json"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    Decimal: {"type": "string", "pattern": DECIMAL_PATTERN},
    dt.date: {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    dt.datetime: {"type": "string", "format": "date-time"},
}


def build_document_schema() -> dict[str, Any]:
    """The schema as a dict, freshly derived from the dataclasses."""
    defs: dict[str, Any] = {}
    root = _object(InvoiceDocument, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:workorders:invoice-document:{SCHEMA_VERSION}",
        "title": "Invoice-ready document",
        "description": ("What every connector consumes: one invoice or credit note built from "
                        "a case. Money and quantities are decimal strings; credit notes carry "
                        "positive amounts."),
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as the exact text stored in the package and in docs/."""
    return json.dumps(build_document_schema(), indent=2, ensure_ascii=False) + "\n"


@cache
def document_schema() -> dict[str, Any]:
    """The shipped schema (package data), for validating documents at run time."""
    text = resources.files(__package__).joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _object(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {}
    for f in dataclasses.fields(cls):
        properties[f.name] = _property(hints[f.name], dict(f.metadata), defs)
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def _property(hint: Any, metadata: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    description = metadata.pop("description", None)
    optional = typing.get_origin(hint) in (types.UnionType, typing.Union)
    if optional:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    base = _type(hint, defs)
    if typing.get_origin(hint) is tuple:
        base.update(metadata)
    else:
        base = {**base, **metadata}
    result: dict[str, Any] = {"description": description} if description else {}
    if optional:
        result["anyOf"] = [base, {"type": "null"}]
    else:
        result.update(base)
    return result


def _type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if typing.get_origin(hint) is tuple:
        return {"type": "array", "items": _type(typing.get_args(hint)[0], defs)}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _object(hint, defs)
        return {"$ref": f"#/$defs/{name}"}
    return dict(_SCALARS[hint])
