"""The one meaning of every rule op, shared by both engines.

Both the pure-Python evaluator and the durable-rules path (through
``projection``) call these functions, so the engines cannot drift apart on how
a value is classified: what counts as missing, as a number, as a date.

- missing = absent, ``None``, ``""`` or ``[]``; present = not missing.
- A number is an ``int`` (not ``bool``), a finite ``float`` or ``Decimal``, or a
  decimal string such as ``"9.50"`` (``-?digits[.digits]``; no exponent).
- A date is a string starting ``YYYY-MM-DD`` (a date or an ISO datetime; its
  written date is used, no time-zone conversion).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from workorders.definitions.conditions import Leaf
from workorders.rules.errors import RuleCompileError
from workorders.rules.pattern import Pattern, PatternError

#: constants in rules: at most this many decimals and magnitude below MAX_CONSTANT
SCALE = 6
MAX_CONSTANT = Decimal(10) ** 12
MAX_DEPTH = 12
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte"})
EQ_OPS = frozenset({"eq", "ne"})
SET_OPS = frozenset({"in", "not_in"})

_DECIMAL_RE = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:$|[T ])")


def is_missing(value: Any) -> bool:
    return value is None or value == "" or (type(value) is list and not value)


@lru_cache(maxsize=4096)
def _parse_decimal(text: str) -> Decimal | None:
    return Decimal(text) if _DECIMAL_RE.fullmatch(text) else None


def as_number(value: Any) -> int | Decimal | None:
    """The numeric value of ``value`` or ``None`` if it is not a number."""
    kind = type(value)
    if kind is int:
        return value
    if kind is Decimal:
        return value if value.is_finite() else None
    if kind is str:
        return _parse_decimal(value)
    if kind is float:
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    return None


def as_date(value: Any) -> int | None:
    """Proleptic ordinal of the written date of an ISO date/datetime string."""
    return _parse_date(value) if type(value) is str else None


@lru_cache(maxsize=4096)
def _parse_date(value: str) -> int | None:
    found = _DATE_RE.match(value)
    if not found:
        return None
    try:
        return dt.date(*(int(g) for g in found.groups())).toordinal()
    except ValueError:
        return None


def kind_of(value: Any) -> str:
    """The kind a rule constant compares as: number, text or bool."""
    if type(value) is bool:
        return "bool"
    if type(value) in (int, float, Decimal):
        return "number"
    if type(value) is str:
        return "text"
    return "other"


def _as_text(actual: Any) -> str | None:
    return actual if type(actual) is str and actual else None


def _as_bool(actual: Any) -> bool | None:
    return actual if type(actual) is bool else None


#: kind -> converter of an actual value to that kind (``None``: type mismatch);
#: the evaluator binds these at compile time instead of dispatching per value
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "number": as_number, "text": _as_text, "bool": _as_bool, "date": as_date,
}


def matches_kind(actual: Any, kind: str) -> Any:
    """``actual`` converted to ``kind`` or ``None`` (type mismatch)."""
    return CONVERTERS[kind](actual)


def type_name(actual: Any) -> str:
    if type(actual) is bool:
        return "yes/no"
    if as_number(actual) is not None:
        return "number"
    names: dict[type, str] = {str: "text", list: "list", dict: "object"}
    return names.get(type(actual), type(actual).__name__)


def _number_constant(value: Any, rule_id: str) -> Decimal:
    number = as_number(value)
    if number is None:
        raise RuleCompileError(f"{value!r} is not a finite number", rule_id)
    dec = Decimal(number)
    if abs(dec) >= MAX_CONSTANT or dec.as_tuple().exponent < -SCALE:  # type: ignore[operator]
        raise RuleCompileError(
            f"number {value!r} must be below 10^12 with at most {SCALE} decimals", rule_id
        )
    return dec


def normalise_constant(value: Any, rule_id: str) -> tuple[str, Any]:
    """(kind, comparable value) of a scalar rule constant; numbers become Decimal."""
    kind = kind_of(value)
    if kind == "number":
        return kind, _number_constant(value, rule_id)
    if kind == "other":
        raise RuleCompileError(f"value {value!r} must be a number, text or yes/no", rule_id)
    return kind, value


def check_leaf(leaf: Leaf, rule_id: str) -> Any:
    """Validate a leaf against the shared limits; return its prepared value.

    eq/ne: (kind, value); ordering: (kind, value) with kind number or date;
    in/not_in: tuple of (kind, value); contains: (kind, value);
    matches: Pattern; present/missing: None.
    """
    op, value = leaf.op, leaf.value
    if op in ("present", "missing"):
        return None
    if op in EQ_OPS:
        return normalise_constant(value, rule_id)
    if op in ORDER_OPS:
        if kind_of(value) == "text" and as_date(value) is not None and len(value) == 10:
            return "date", as_date(value)
        if kind_of(value) != "number":
            raise RuleCompileError(f"{op} needs a number or a YYYY-MM-DD date", rule_id)
        return normalise_constant(value, rule_id)
    if op in SET_OPS:
        if not isinstance(value, list | tuple):
            raise RuleCompileError(f"{op} needs a list of values", rule_id)
        return tuple(dict.fromkeys(normalise_constant(v, rule_id) for v in value))
    if op == "contains":
        if value == "":
            raise RuleCompileError("contains needs a non-empty value", rule_id)
        return normalise_constant(value, rule_id)
    if op == "matches":
        try:
            return Pattern(value) if type(value) is str else Pattern("")
        except PatternError as exc:
            raise RuleCompileError(f"pattern {value!r}: {exc}", rule_id) from exc
    raise RuleCompileError(f"unknown op {op!r}", rule_id)


def contains(actual: Any, kind: str, value: Any) -> bool | None:
    """Substring for text, membership for a list; ``None`` on a type mismatch."""
    if type(actual) is str:
        return value in actual if kind == "text" else None
    if type(actual) is list:
        return any(matches_kind(item, kind) == value for item in actual
                   if matches_kind(item, kind) is not None)
    return None


def compare(op: str, actual: Any, value: Any) -> bool:
    """Ordering/equality of two already-converted values of the same kind."""
    if op == "eq":
        return bool(actual == value)
    if op == "ne":
        return bool(actual != value)
    if op == "gt":
        return bool(actual > value)
    if op == "gte":
        return bool(actual >= value)
    if op == "lt":
        return bool(actual < value)
    return bool(actual <= value)


def path_of(fact: str) -> tuple[str, ...]:
    return tuple(fact.split("."))


def resolve(obj: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path``; ``None`` when any step is absent or not an object."""
    for key in path:
        if type(obj) is not dict:
            return None
        obj = obj.get(key)
    return obj

