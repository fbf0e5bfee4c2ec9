"""JSON text with Decimals written as exact JSON numbers.

ERP APIs such as Fortnox and ERPNext take amounts as JSON numbers, but going
through ``float`` would turn ``0.1 + 0.2`` style values into ``0.30000000000000004``
and the standard library cannot write a Decimal as a number. This tiny writer
emits ``Decimal("189.50")`` as ``189.50`` verbatim; everything else goes through
:func:`json.dumps`, so strings are escaped exactly as usual.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .serialize import plain


def dumps(value: Any, indent: int = 2) -> str:
    """Pretty JSON (stable key order as given) with exact decimal numbers."""
    parts: list[str] = []
    _write(value, parts, indent, 0)
    return "".join(parts) + "\n"


def _write(value: Any, out: list[str], indent: int, depth: int) -> None:
    if isinstance(value, Decimal):
        out.append(plain(value))
    elif isinstance(value, Mapping):
        _container(list(value.items()), out, indent, depth, "{", "}")
    elif isinstance(value, list | tuple):
        _container(list(value), out, indent, depth, "[", "]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def _container(items: list[Any], out: list[str], indent: int, depth: int,
               opening: str, closing: str) -> None:
    if not items:
        out.append(opening + closing)
        return
    pad = "\n" + " " * (indent * (depth + 1))
    out.append(opening)
    for i, item in enumerate(items):
        out.append(pad if i == 0 else "," + pad)
        if opening == "{":
            key, item = item
            out.append(json.dumps(str(key), ensure_ascii=False) + ": ")
        _write(item, out, indent, depth + 1)
    out.append("\n" + " " * (indent * depth) + closing)
