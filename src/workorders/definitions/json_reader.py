"""A small JSON reader that records the line and column of every value and key.

The standard ``json`` module gives no positions, and reading JSON with a YAML 1.1
parser changes meaning (``1e5`` is text there, tabs break it). So this reader
walks the text itself, reusing ``json``'s own string and number scanners for
exactly JSON's semantics, with the same depth and node budgets as YAML.
"""

from __future__ import annotations

import bisect
import json.decoder
import re
from collections.abc import Callable
from json.scanner import NUMBER_RE
from typing import Any

from .limits import MAX_NESTING_DEPTH, MAX_NODES
from .problems import Positions, join
from .source import ParseFailure, fail, number_fault, text_fault, too_many_digits

scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}


class _Reader:
    def __init__(self, text: str) -> None:
        self.s = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.values: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, tuple[int, int]] = {}
        self.nodes = 0

    def pos(self, i: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, i)
        return line, i - self.starts[line - 1] + 1

    def fail(self, i: int, message: str, hint: str | None = None) -> ParseFailure:
        line, column = self.pos(i)
        return fail(f"JSON syntax error: {message}", line, column, hint)

    def refuse(self, i: int, message: str, path: str) -> ParseFailure:
        """A readable value the bundle cannot keep (not a syntax error)."""
        line, column = self.pos(i)
        return fail(message, line, column, path=path)

    def skip(self, i: int) -> int:
        match = _WS.match(self.s, i)
        return match.end() if match else i

    def value(self, i: int, path: str, depth: int) -> tuple[Any, int]:
        i = self.skip(i)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(i, f"more than {MAX_NODES} values")
        self.values[path] = self.pos(i)
        char = self.s[i : i + 1]
        if char in ("{", "["):
            if depth >= MAX_NESTING_DEPTH:
                raise self.fail(i, f"nested deeper than {MAX_NESTING_DEPTH} levels")
            if char == "{":
                return self.mapping(i + 1, path, depth)
            return self.array(i + 1, path, depth)
        if char == '"':
            text, end = self.string(i)
            if fault := text_fault(text):
                raise self.refuse(i, f"the text {fault}", path)
            return text, end
        match = NUMBER_RE.match(self.s, i)
        if match:
            return self.number(match, path), match.end()
        for word, literal in _LITERALS.items():
            if self.s.startswith(word, i):
                return literal, i + len(word)
        raise self.fail(i, "expected a value" if char else "unexpected end of the text")

    def number(self, match: re.Match[str], path: str) -> int | float:
        integer, frac, exp = match.groups()
        try:
            number = (float(integer + (frac or "") + (exp or "")) if frac or exp
                      else int(integer))
        except ValueError:  # more digits than Python converts
            raise self.refuse(match.start(), too_many_digits(integer), path) from None
        if fault := number_fault(match.group(), number):
            raise self.refuse(match.start(), fault, path)
        return number

    def string(self, i: int) -> tuple[str, int]:
        try:
            return scanstring(self.s, i + 1, True)
        except ValueError as exc:
            raise self.fail(getattr(exc, "pos", i), str(exc).split(":")[0]) from None

    def mapping(self, i: int, path: str, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        i = self.skip(i)
        if self.s.startswith("}", i):
            return result, i + 1
        while True:
            i = self.skip(i)
            if not self.s.startswith('"', i):
                raise self.fail(i, "expected a key in double quotes")
            key_at = i
            key, i = self.string(i)
            if fault := text_fault(key):
                raise self.refuse(key_at, f"the key {fault}", path)
            child = join(path, key)
            if key in result:
                raise self.fail(key_at, f"duplicate key '{key}'", "remove one of the two")
            self.keys[child] = self.pos(key_at)
            i = self.skip(i)
            if not self.s.startswith(":", i):
                raise self.fail(i, "expected ':' after the key")
            result[key], i = self.value(i + 1, child, depth + 1)
            i = self.skip(i)
            if self.s.startswith("}", i):
                return result, i + 1
            if not self.s.startswith(",", i):
                raise self.fail(i, "expected ',' or '}'")
            i += 1

    def array(self, i: int, path: str, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        i = self.skip(i)
        if self.s.startswith("]", i):
            return result, i + 1
        while True:
            item, i = self.value(i, join(path, len(result)), depth + 1)
            result.append(item)
            i = self.skip(i)
            if self.s.startswith("]", i):
                return result, i + 1
            if not self.s.startswith(",", i):
                raise self.fail(i, "expected ',' or ']'")
            i += 1


def read_json(text: str) -> tuple[Any, Positions]:
    """Parse one JSON document; raises ParseFailure with line/column on any error."""
    reader = _Reader(text)
    data, end = reader.value(0, "", 0)
    end = reader.skip(end)
    if end != len(text):
        raise reader.fail(end, "unexpected text after the end of the document")
    return data, Positions(reader.values, reader.keys)
