"""Checks of one rule's ``when``: known facts, ops that fit their types, values the
engine can compare, and the engine's complexity limits (see ``limits.py``).

durable-rules coerces types in surprising ways (``"abc" > 5`` is true) and never
matches numbers beyond int64, so every comparison is typed here, at upload.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .conditions import UNARY_OPS
from .context import Context
from .facts import FactType
from .limits import (
    INT64_MAX,
    INT64_MIN,
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_LEAVES,
    MAX_LIST_VALUES,
)
from .regex_safety import matches_problem
from .schema_check import suggest

_ORDERED = {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "present", "missing"}
ORDER_OPS = ("gt", "gte", "lt", "lte")
OPS_BY_KIND: dict[str, set[str]] = {
    "number": _ORDERED, "date": _ORDERED, "datetime": _ORDERED,
    "text": {"eq", "ne", "in", "not_in", "contains", "matches", "present", "missing"},
    "boolean": {"eq", "ne", "present", "missing"},
    "list": {"contains", "present", "missing"},
    "object": {"present", "missing"},
}
#: inside ``where`` over a list of plain values, the item itself is this fact
ITEM_FACT = "item"


class ConditionChecker:
    """Walks one rule's raw ``when``; ``facts`` maps a path to its type per case type."""

    def __init__(self, ctx: Context, facts: Sequence[Mapping[str, FactType]]) -> None:
        self.ctx = ctx
        self.facts = facts
        self.leaves = 0
        self.referenced: set[str] = set()
        #: where each referenced fact is first named (its ``fact`` or quantifier pointer)
        self.first_at: dict[str, str] = {}

    def check(self, path: str, raw: Mapping[str, Any]) -> None:
        depth = self._walk(path, raw, 1, None)
        if depth > MAX_CONDITION_DEPTH:
            self.ctx.out.error(path, f"the condition is nested {depth} levels deep; the limit "
                               f"is {MAX_CONDITION_DEPTH}", "split it into several rules")
        if self.leaves > MAX_CONDITION_LEAVES:
            self.ctx.out.error(path, f"the condition has {self.leaves} comparisons; the limit "
                               f"is {MAX_CONDITION_LEAVES}", "split it into several rules")

    def _walk(self, path: str, raw: Mapping[str, Any], depth: int,
              item: FactType | None) -> int:
        """Checks a node; returns the depth of its deepest descendant."""
        for group in ("all", "any"):
            if group in raw:
                return max(self._walk(f"{path}/{group}/{i}", c, depth + 1, item)
                           for i, c in enumerate(raw[group]))
        if "not" in raw:
            return self._walk(f"{path}/not", raw["not"], depth + 1, item)
        for kind in ("any_item", "all_items"):
            if kind in raw:
                return self._quantifier(path, kind, raw, depth, item)
        self.leaves += 1
        self._leaf(path, raw, item)
        return depth

    def _types(self, fact: str) -> list[FactType]:
        return [facts[fact] for facts in self.facts if fact in facts]

    def _quantifier(self, path: str, kind: str, raw: Mapping[str, Any], depth: int,
                    item: FactType | None) -> int:
        fact = raw[kind]
        if item is not None:
            self.ctx.out.error(f"{path}/{kind}", "list quantifiers cannot be nested: line "
                               "items have no lists")
            return depth
        types = self._known(f"{path}/{kind}", fact)
        lists = [t for t in types if t.kind == "list" and t.item is not None]
        if types and len(lists) < len(types):
            self.ctx.out.error(f"{path}/{kind}", f"{kind} needs a list fact; '{fact}' is "
                               f"{types[0].describe()}",
                               "lists are time_entries, material_lines, photos and multiple "
                               "choice fields")
        inner = lists[0].item if lists else None
        return self._walk(f"{path}/where", raw["where"], depth + 1, inner or FactType("object"))

    def _known(self, path: str, fact: str) -> list[FactType]:
        self.referenced.add(fact)
        self.first_at.setdefault(fact, path)
        types = self._types(fact)
        if not types:
            known = {k for facts in self.facts for k in facts}
            self.ctx.out.error(path, f"unknown fact '{fact}'",
                               suggest(fact, known) or "see the fact list in docs/definitions.md")
        return types

    def _leaf(self, path: str, raw: Mapping[str, Any], item: FactType | None) -> None:
        fact, op = raw["fact"], raw["op"]
        if item is None:
            types = self._known(f"{path}/fact", fact)
        else:
            types = _item_fact(self.ctx, f"{path}/fact", fact, item)
        if op in UNARY_OPS:
            if raw.get("value") is not None:
                self.ctx.out.error(f"{path}/value", f"'{op}' takes no value")
            return
        if "value" not in raw or raw["value"] is None:
            self.ctx.out.error(path, f"'{op}' needs a value")
            return
        for fact_type in types[:1] + [t for t in types[1:] if t.kind != types[0].kind]:
            problem = op_problem(fact, fact_type, op, raw["value"])
            if problem:
                self.ctx.out.error(f"{path}/{problem[2]}", problem[0], problem[1])


def _item_fact(ctx: Context, path: str, fact: str, item: FactType) -> list[FactType]:
    if item.kind != "object":
        if fact == ITEM_FACT:
            return [item]
        ctx.out.error(path, f"items of this list are plain values: use fact '{ITEM_FACT}'")
        return []
    if fact in item.keys:
        return [item.keys[fact]]
    ctx.out.error(path, f"unknown line item key '{fact}'",
                  suggest(fact, item.keys) or f"keys: {', '.join(item.keys)}")
    return []


def op_problem(fact: str, fact_type: FactType, op: str,
               value: Any) -> tuple[str, str | None, str] | None:
    """(message, hint, "op" or "value") when ``op value`` does not fit the fact's type."""
    kind = fact_type.kind
    if op not in OPS_BY_KIND[kind]:
        return (f"'{op}' does not apply to {fact_type.describe()} fact '{fact}'",
                f"use one of {', '.join(sorted(OPS_BY_KIND[kind]))}", "op")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return (f"'{op}' needs a non-empty list of values", "write value: [a, b]", "value")
        if len(value) > MAX_LIST_VALUES:
            return (f"'{op}' lists {len(value)} values; the limit is {MAX_LIST_VALUES}", None,
                    "value")
        problems = (value_problem(fact, fact_type, v) for v in value)
        first = next((p for p in problems if p), None)
        return (first[0], first[1], "value") if first else None
    if op == "matches":
        regex = matches_problem(value)
        return (regex, "supported: literals, ., [a-z], \\d \\w \\s, * + ?, ^ $", "value") \
            if regex else None
    if kind == "list":
        item = fact_type.item or FactType("object")
        if item.kind == "object":
            return (f"'contains' cannot look into line items of '{fact}'",
                    "use any_item with a where condition", "op")
        fact_type = item
    elif op == "contains" and not isinstance(value, str):
        return ("'contains' on text needs a text value", None, "value")
    elif (kind in ("date", "datetime") and op in ORDER_OPS and isinstance(value, str)
          and len(value) != len("2026-11-20") and value_problem(fact, fact_type, value) is None):
        # the engines order dates and times by their day (``semantics.as_date``)
        return (f"'{op}' compares '{fact}' by its day, so the value must be a date, not "
                f"'{value}'", f"write the day: {value[:10]}", "value")
    problem = value_problem(fact, fact_type, value)
    return (problem[0], problem[1], "value") if problem else None


def value_problem(fact: str, fact_type: FactType, value: Any) -> tuple[str, str | None] | None:
    """Whether one literal can be compared with a fact of this type (engine-safe)."""
    kind = fact_type.kind
    if isinstance(value, list | dict):
        return (f"'{fact}' is compared with a {type(value).__name__}; expected one {kind}",
                None)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return (f"'{fact}' is a number but the value {value!r} is not",
                    "write numbers without quotes: 8, not \"8\"")
        if isinstance(value, float) and not math.isfinite(value):
            return ("numbers in conditions must be finite", None)
        if not INT64_MIN <= value <= INT64_MAX:
            return (f"{value} is outside the range the rules engine can compare "
                    "(64-bit integers)", None)
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else (
            f"'{fact}' is true or false, not {value!r}", "write true or false without quotes")
    if not isinstance(value, str):
        return (f"'{fact}' is {kind}; the value {value!r} is not text", "put it in quotes")
    if kind in ("date", "datetime"):
        parse = date.fromisoformat if kind == "date" else datetime.fromisoformat
        try:
            parse(value)
        except ValueError:
            return (f"'{value}' is not an ISO {kind}", "write dates as 2026-11-20")
        return None
    if fact_type.choices and value not in fact_type.choices:
        return (f"'{value}' is not a possible value of '{fact}'",
                suggest(value, fact_type.choices)
                or f"possible values: {', '.join(fact_type.choices)}")
    return None
