"""Read YAML into plain data, recording the line and column of every value and key.

Built on the parser's event stream (libyaml when available) rather than
``safe_load``: that is where positions live, and it lets us refuse the dangerous or
surprising parts of YAML before any object is built:

* aliases (``*name``) are rejected outright: no "billion laughs" expansion is ever
  possible, and every value has exactly one position;
* scalars follow the YAML 1.2 core schema, so ``NO`` (Norway) and ``on`` stay text,
  ``08:30`` is not a sexagesimal number and ``2026-11-20`` stays a date string
  exactly as in JSON;
* only the standard tags for text, numbers, booleans and null are accepted.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml import events as ev

from .limits import MAX_NESTING_DEPTH, MAX_NODES
from .problems import Positions, join
from .source import ParseFailure, fail, number_fault, text_fault, too_many_digits

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, "!", _TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool",
                 _TAG + "null", _TAG + "map", _TAG + "seq"}


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema resolution of an unquoted scalar."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value, 10)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.values: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, tuple[int, int]] = {}
        self.nodes = 0

    def next(self) -> Any:
        return self.loader.get_event()

    def value(self, event: Any, path: str, depth: int) -> Any:
        self.nodes += 1
        line, column = _mark(event)
        if self.nodes > MAX_NODES:
            raise fail(f"the bundle has more than {MAX_NODES} values", line, column)
        if isinstance(event, ev.AliasEvent):
            raise fail(f"YAML aliases (*{event.anchor}) are not supported", line, column,
                       "write the value out in full", path)
        tag = getattr(event, "tag", None)
        if tag not in _ALLOWED_TAGS:
            raise fail(f"the YAML tag '{tag}' is not supported", line, column,
                       "remove the tag; plain text, numbers, true/false and null are enough",
                       path)
        self.values[path] = (line, column)
        if isinstance(event, ev.ScalarEvent):
            return self.scalar(event, tag, path)
        if depth >= MAX_NESTING_DEPTH:
            raise fail(f"the bundle is nested deeper than {MAX_NESTING_DEPTH} levels",
                       line, column, path=path)
        if isinstance(event, ev.SequenceStartEvent):
            return self.sequence(path, depth)
        return self.mapping(path, depth)

    @staticmethod
    def scalar(event: Any, tag: str | None, path: str) -> Any:
        plain = event.implicit[0] and not event.style
        if tag in (_TAG + "str", "!") or (tag is None and not plain):
            fault = text_fault(event.value)
            if fault:
                raise fail(f"the text {fault}", *_mark(event), path=path)
            return event.value
        try:
            resolved = resolve_plain(event.value)
        except ValueError:  # more digits than Python converts
            raise fail(too_many_digits(event.value), *_mark(event), path=path) from None
        text = text_fault(resolved) if isinstance(resolved, str) else None
        fault = f"the text {text}" if text else number_fault(event.value, resolved)
        if fault:
            raise fail(fault, *_mark(event), path=path)
        if tag is None:
            return resolved
        expected = {_TAG + "int": int, _TAG + "float": float, _TAG + "bool": bool,
                    _TAG + "null": type(None)}.get(tag or "")
        if expected is not None and type(resolved) is not expected:
            if expected is float and type(resolved) is int:
                return float(resolved)
            raise fail(f"'{event.value}' is not a valid {tag.removeprefix(_TAG) if tag else ''}",
                       *_mark(event), path=path)
        return resolved

    def sequence(self, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        while not isinstance(event := self.next(), ev.SequenceEndEvent):
            items.append(self.value(event, join(path, len(items)), depth + 1))
        return items

    def mapping(self, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while not isinstance(event := self.next(), ev.MappingEndEvent):
            line, column = _mark(event)
            if not isinstance(event, ev.ScalarEvent):
                raise fail("keys must be plain text, not lists, mappings or aliases",
                           line, column, path=path)
            key = event.value
            if fault := text_fault(key):
                raise fail(f"the key {fault}", line, column, path=path)
            if key == "<<" and not event.style:
                raise fail("YAML merge keys (<<) are not supported", line, column,
                           "write the keys out in full", path)
            child = join(path, key)
            if key in result:
                raise fail(f"duplicate key '{key}'", line, column,
                           "remove one of the two; the second would silently win", child)
            self.keys[child] = (line, column)
            result[key] = self.value(self.next(), child, depth + 1)
        return result


def read_yaml(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document; raises ParseFailure with line/column on any error."""
    loader = _Loader(text)
    try:
        builder = _Builder(loader)
        builder.next()  # StreamStart
        first = builder.next()
        if isinstance(first, ev.StreamEndEvent):
            raise fail("the bundle is empty", 1, 1)
        data = builder.value(builder.next(), "", 0)
        builder.next()  # DocumentEnd
        extra = builder.next()
        if not isinstance(extra, ev.StreamEndEvent):
            raise fail("the file holds more than one YAML document (---)", *_mark(extra),
                       "keep one bundle per file")
        return data, Positions(builder.values, builder.keys)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = exc.problem or "unreadable YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise fail(f"YAML syntax error: {message}{context}", line, column,
                   "check indentation and quoting around this line") from None
    except yaml.YAMLError as exc:
        raise fail(f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise fail(f"the bundle is nested deeper than {MAX_NESTING_DEPTH} levels") from None
    finally:
        loader.dispose()


__all__ = ["ParseFailure", "read_yaml", "resolve_plain"]
