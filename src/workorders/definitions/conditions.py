"""The condition tree of a rule's ``when``, shared by validation, the rules
engine (durable-rules) and the pure-Python evaluator.

It is a closed set of frozen node types so every consumer can match on them
exhaustively; a new kind of condition is a change here first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Op: TypeAlias = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "matches",
    "present", "missing",
]
OPS: tuple[str, ...] = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "matches",
    "present", "missing",
)
#: how each op reads after the fact's name ("total hours is more than 16"): the one
#: wording of ops, for rules in words and the editor's autocomplete alike
OP_WORDS: dict[str, str] = {
    "eq": "is", "ne": "is not", "gt": "is more than", "gte": "is at least",
    "lt": "is less than", "lte": "is at most", "in": "is one of", "not_in": "is none of",
    "contains": "contains", "matches": "matches the pattern", "present": "is filled in",
    "missing": "is empty",
}
#: ops that take no ``value``
UNARY_OPS: frozenset[str] = frozenset({"present", "missing"})


@dataclass(frozen=True, slots=True)
class Leaf:
    """``{fact, op, value}``: one comparison of a fact's actual value.

    ``fact`` is a dotted path (``totals.hours``, ``form.customer_signature``);
    inside a list quantifier's ``where`` it is relative to the item (``quantity``).
    ``value`` is the plain JSON value from the bundle (numbers as ``int``,
    ``float`` or ``Decimal``-compatible strings as written), ``None`` for unary ops.
    """

    fact: str
    op: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``{any_item|all_items: <list fact>, where: <condition on one item>}``.

    ``all_items`` over an empty list is false (as durable-rules' ``$iall``).
    """

    kind: Literal["any_item", "all_items"]
    fact: str
    where: Condition


Condition: TypeAlias = Leaf | All | AnyOf | Not | Quantifier


def parse_condition(raw: Any) -> Condition:
    """Build the tree from the bundle's (already schema-valid) plain data."""
    if "all" in raw:
        return All(tuple(parse_condition(c) for c in raw["all"]))
    if "any" in raw:
        return AnyOf(tuple(parse_condition(c) for c in raw["any"]))
    if "not" in raw:
        return Not(parse_condition(raw["not"]))
    for kind in ("any_item", "all_items"):
        if kind in raw:
            return Quantifier(kind, raw[kind], parse_condition(raw["where"]))
    return Leaf(raw["fact"], raw["op"], raw.get("value"))


def iter_leaves(cond: Condition) -> list[Leaf]:
    """Every leaf in tree order (quantifier ``where`` leaves included)."""
    if isinstance(cond, Leaf):
        return [cond]
    if isinstance(cond, All | AnyOf):
        return [leaf for c in cond.items for leaf in iter_leaves(c)]
    if isinstance(cond, Not):
        return iter_leaves(cond.item)
    return iter_leaves(cond.where)
