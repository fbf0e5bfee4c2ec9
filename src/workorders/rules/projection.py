"""Projection: the fact document reduced to typed slots durable-rules compares safely.

durable-rules fails on documents with more than 255 flattened properties,
cannot parse floats like ``1e-05``, never matches integers beyond int64 or NaN,
and coerces across types (``"abc" > 5`` is true). So each evaluation sends only
the slots the rules reference, each holding one kind of value:

- ``p``: 1 when the fact is present (absent otherwise: missing/present tests);
- ``number``: the number as a *scaled integer* (see ``encode_number``);
- ``text``/``bool``: the value when it is a non-empty string / a bool;
- ``date``: the date's ordinal;
- ``list:<kind>``: the list's items of that kind (membership for ``contains``);
- ``ct:<text>`` / ``mt:<pattern>``: the boolean outcome of text ``contains`` /
  ``matches``, computed here by the shared semantics (durable's regex works on
  bytes in its own dialect, and it has no negated match);
- ``q``: a quantified list, each item projected by a nested scope.

A slot is left out whenever the value is not of its kind, so a type mismatch
never reaches durable-rules' coercions: absence makes every comparison false.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from workorders.rules import semantics as sem
from workorders.rules.evaluator import make_getter
from workorders.rules.pattern import Pattern

ABSENT: Any = object()
_SCALE = Decimal(10) ** sem.SCALE
#: encoded magnitudes are clamped here, well inside int64 and above any constant
_LIMIT = int(sem.MAX_CONSTANT * _SCALE)


def encode_number(number: int | Decimal) -> int:
    """Exact order-preserving integer for comparisons with rule constants.

    ``2 * floor(x * 10^6) + r`` where ``r`` is 1 when ``x`` has digits beyond
    the sixth decimal (or is out of range). Rule constants have at most six
    decimals and are encoded as ``2 * c * 10^6``, so ``=, <, >`` between the
    encodings equal the exact decimal comparisons; the result always fits int64.
    """
    scaled = Decimal(number) * _SCALE
    floor = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
    rest = 1 if scaled != floor else 0
    if floor >= _LIMIT:
        return 2 * _LIMIT + 1
    if floor < -_LIMIT:
        return -2 * _LIMIT - 1
    return 2 * floor + rest


def encode_constant(kind: str, value: Any) -> Any:
    """A rule constant in the same encoding as its slot."""
    return encode_number(value) if kind == "number" else value


def _kind_converter(kind: str) -> Callable[[Any], Any]:
    if kind == "number":
        def number(a: Any) -> Any:
            n = sem.as_number(a)
            return ABSENT if n is None else encode_number(n)
        return number
    if kind == "date":
        return lambda a: ABSENT if sem.as_date(a) is None else sem.as_date(a)
    if kind == "text":
        return lambda a: a if type(a) is str and a else ABSENT
    return lambda a: a if type(a) is bool else ABSENT


def _converter(kind: str, extra: Any) -> Callable[[Any], Any]:
    if kind == "p":
        return lambda a: ABSENT if sem.is_missing(a) else 1
    if kind.startswith("list:"):
        item = _kind_converter(kind[5:])

        def members(a: Any) -> Any:
            if type(a) is not list:
                return ABSENT
            out = [v for v in map(item, a) if v is not ABSENT]
            return out or ABSENT
        return members
    if kind == "ct":
        return lambda a: type(a) is str and extra in a
    if kind == "mt":
        pattern: Pattern = extra
        return lambda a: type(a) is str and a != "" and pattern.fullmatch(a)
    return _kind_converter(kind)


class Scope:
    """Slots of one object level (the document, or one item of a list)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self._slots: dict[tuple[str, str, Any], str] = {}
        self._entries: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = []
        self._subs: dict[str, Scope] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def slot(self, fact: str, kind: str, extra: Any = None) -> str:
        """The key (with ``$i.`` inside items) of the slot for ``fact`` as ``kind``."""
        key = (fact, kind, extra.source if isinstance(extra, Pattern) else extra)
        if key not in self._slots:
            name = f"a{len(self._entries)}"
            self._slots[key] = name
            self._entries.append((name, make_getter(fact), self._make(fact, kind, extra, name)))
        return self.prefix + self._slots[key]

    def _make(self, fact: str, kind: str, extra: Any, name: str) -> Callable[[Any], Any]:
        if kind != "q":
            return _converter(kind, extra)
        sub = self._subs[name] = Scope("$i.")

        def items(a: Any) -> Any:
            if type(a) is not list or not a:
                return ABSENT
            return [sub.project(item) for item in a]
        return items

    def sub(self, fact: str) -> tuple[str, Scope]:
        """The slot of a quantified list and the scope of its items."""
        key = self.slot(fact, "q")
        return key, self._subs[key[len(self.prefix):]]

    def project(self, obj: Any) -> dict[str, Any]:
        """The projected object: only present slots, in the engine's encodings."""
        out: dict[str, Any] = {}
        for name, get, convert in self._entries:
            value = convert(get(obj))
            if value is not ABSENT:
                out[name] = value
        return out
