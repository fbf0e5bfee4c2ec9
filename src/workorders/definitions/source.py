"""From uploaded bytes or text to plain data plus a position index.

The guards here run before any parsing work: size, encoding, then the format's own
reader with depth and node budgets. Any failure is one :class:`ParseFailure` carrying
the location, because nothing after a syntax error can be trusted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .limits import INT64_MAX, INT64_MIN, MAX_BUNDLE_BYTES
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


def number_fault(text: str, value: Any) -> str | None:
    """Why a number read from the bundle cannot be kept, or None: the database,
    JSON and the rules engine all stop at finite values and 64-bit integers."""
    if isinstance(value, float) and not math.isfinite(value):
        return (f"the number {text[:30]} is not finite; numbers must be finite, "
                "e.g. 1000000 instead of 1e999 or .inf")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return (f"the number {text[:30]}{'...' if len(text) > 30 else ''} is too large; "
                f"whole numbers must lie between {INT64_MIN} and {INT64_MAX}")
    return None


def too_many_digits(text: str) -> str:
    """The message for an integer too long for Python to even convert."""
    return number_fault(text, INT64_MAX + 1) or ""


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_fault(value: str) -> str | None:
    """Why text cannot be stored, as "contains ...", or None: PostgreSQL text
    holds no NUL and no database encodes a lone surrogate. The web edge asks
    this too, so uploads and requests are refused in the same words."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000), which text cannot hold; remove it"
    return ("contains a lone surrogate (an escape such as \\ud800 that is half of a "
            "character); send the whole character")


def clean_text(value: str) -> str:
    """``value`` with what :func:`text_fault` objects to replaced, for echoing it."""
    return _BAD_TEXT.sub("\ufffd", value)


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
