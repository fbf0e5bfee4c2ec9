"""What one leaf of a condition means at trace time, shared by both tracers.

The closure tracers (``evaluator``, the reference) and the generated tracers
(``tracegen``) build their entries from these, so a trace reads the same
whichever wrote it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import Any

from workorders.definitions.conditions import Leaf
from workorders.rules import semantics as sem
from workorders.rules.model import TraceEntry
from workorders.rules.trace import jsonable

CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt,
    "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
}


#: TraceEntry without the Python-level ``__new__`` of a named tuple: traces are
#: written on every stored evaluation, so each saved frame counts
entry = partial(tuple.__new__, TraceEntry)
SCALARS = frozenset({str, int, bool, type(None)})


def leaf_test(leaf: Leaf, rule_id: str) -> Callable[[Any], bool | None]:
    """actual (present) -> True/False, or None for a type mismatch."""
    prepared = sem.check_leaf(leaf, rule_id)
    op = leaf.op
    if op in CMP:
        kind, value = prepared
        cmp, convert = CMP[op], sem.CONVERTERS[kind]

        def test_cmp(a: Any) -> bool | None:
            c = convert(a)
            return None if c is None else cmp(c, value)

        return test_cmp
    if op in sem.SET_OPS:
        groups: dict[str, set[Any]] = {}
        for kind, value in prepared:
            groups.setdefault(kind, set()).add(value)
        negate = op == "not_in"
        tests = tuple((sem.CONVERTERS[kind], values) for kind, values in groups.items())

        def test_set(a: Any) -> bool:
            found = any(convert(a) in values for convert, values in tests)
            return found != negate

        return test_set
    if op == "contains":
        kind, value = prepared
        return lambda a: sem.contains(a, kind, value)
    pattern = prepared
    return lambda a: pattern.fullmatch(a) if type(a) is str else None


def expected_kind(leaf: Leaf) -> str:
    if leaf.op == "matches":
        return "text"
    if leaf.op in sem.ORDER_OPS and sem.kind_of(leaf.value) == "text":
        return "a date"
    kind = sem.kind_of(leaf.value)
    return {"number": "a number", "bool": "yes/no"}.get(kind, kind)


def mismatch_note(expected: str, actual: Any) -> str:
    """The note of a leaf whose actual value is not of the kind it compares."""
    return f"type mismatch: expected {expected}, got {sem.type_name(actual)}"


def list_note(items: Any) -> str:
    """The note of a quantifier over something that is not a non-empty list."""
    return "missing" if sem.is_missing(items) else f"not a list: {sem.type_name(items)}"


__all__ = ["CMP", "SCALARS", "entry", "expected_kind", "jsonable", "leaf_test", "list_note",
           "mismatch_note"]
