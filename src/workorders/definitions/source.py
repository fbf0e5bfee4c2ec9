"""From uploaded bytes or text to plain data plus a position index.

The guards here run before any parsing work: size, encoding, then the format's own
reader with depth and node budgets. Any failure is one :class:`ParseFailure` carrying
the location, because nothing after a syntax error can be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .limits import MAX_BUNDLE_BYTES
from .problems import Positions, Problem

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ParseFailure(Exception):
    """The source cannot be read at all; carries the single problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def fail(message: str, line: int | None = None, column: int | None = None,
         hint: str | None = None, path: str = "") -> ParseFailure:
    return ParseFailure(Problem(path, line, column, message, hint))


@dataclass(frozen=True, slots=True)
class Parsed:
    data: Any
    positions: Positions
    format: str  # "yaml" | "json"


def decode(source: str | bytes) -> str:
    """Bytes to text, enforcing the size limit and strict UTF-8."""
    if isinstance(source, str):
        if len(source) > MAX_BUNDLE_BYTES:
            raise _too_large(len(source))
        try:
            raw = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise fail("the text contains characters that cannot be encoded as UTF-8 "
                       f"(position {exc.start})") from None
    else:
        raw = bytes(source)
    if len(raw) > MAX_BUNDLE_BYTES:
        raise _too_large(len(raw))
    if raw.startswith(_UTF16_BOMS):
        raise fail("the file is UTF-16; bundles must be UTF-8", 1, 1,
                   "save the file as UTF-8 in your editor")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column,
                   "save the file as UTF-8 in your editor") from None
    return text.removeprefix("\ufeff")


def _too_large(size: int) -> ParseFailure:
    return fail(f"the bundle is {size} bytes; the limit is {MAX_BUNDLE_BYTES} bytes (2 MiB)",
                hint="split long notification texts or remove unused rules")


def is_json(text: str, filename: str | None) -> bool:
    """JSON when the text starts with ``{`` (after whitespace) or the file is ``.json``."""
    if filename and filename.lower().endswith(".json"):
        return True
    return text.lstrip(" \t\r\n").startswith("{")


def read_source(source: str | bytes, filename: str | None = None) -> Parsed:
    """Decode and parse; raises :class:`ParseFailure` on anything unreadable."""
    from .json_reader import read_json
    from .yaml_reader import read_yaml

    text = decode(source)
    if not text.strip():
        raise fail("the bundle is empty", 1, 1, "start with 'format: workorders/v1'")
    if is_json(text, filename):
        data, positions = read_json(text)
        fmt = "json"
    else:
        data, positions = read_yaml(text)
        fmt = "yaml"
    if not isinstance(data, dict):
        line, column = positions.locate("")
        raise fail(f"the top level must be a mapping of keys (format, name, ...), "
                   f"not {type_name(data)}", line, column,
                   "start with 'format: workorders/v1'")
    return Parsed(data, positions, fmt)


def type_name(value: Any) -> str:
    """JSON vocabulary for a Python value, as admins know it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
