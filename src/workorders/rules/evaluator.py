"""The pure-Python evaluator: the reference semantics and the source of traces.

Each condition tree is compiled once into two closures: a fast predicate
(short-circuits, no allocation) and a tracer that evaluates every leaf and
records a ``TraceEntry`` per leaf and per quantifier. Paths are split at
compile time, so evaluation never parses strings.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier
from workorders.rules import semantics as sem
from workorders.rules.errors import RuleCompileError
from workorders.rules.model import RuleSpec, TraceEntry
from workorders.rules.trace import jsonable

Pred = Callable[[Any], bool]
Tracer = Callable[[Any, str, list[TraceEntry]], bool]

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt,
    "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
}


def make_getter(fact: str) -> Callable[[Any], Any]:
    """A closure reading a dotted path from nested dicts (``None`` when absent)."""
    path = sem.path_of(fact)
    if len(path) == 1:
        (k,) = path
        return lambda o: o.get(k) if type(o) is dict else None
    if len(path) == 2:
        k1, k2 = path

        def get2(o: Any) -> Any:
            o = o.get(k1) if type(o) is dict else None
            return o.get(k2) if type(o) is dict else None

        return get2
    return lambda o: sem.resolve(o, path)


def _leaf_test(leaf: Leaf, rule_id: str) -> Callable[[Any], bool | None]:
    """actual (present) -> True/False, or None for a type mismatch."""
    prepared = sem.check_leaf(leaf, rule_id)
    op = leaf.op
    if op in _CMP:
        kind, value = prepared
        cmp = _CMP[op]

        def test_cmp(a: Any) -> bool | None:
            c = sem.matches_kind(a, kind)
            return None if c is None else cmp(c, value)

        return test_cmp
    if op in sem.SET_OPS:
        groups: dict[str, set[Any]] = {}
        for kind, value in prepared:
            groups.setdefault(kind, set()).add(value)
        negate = op == "not_in"

        def test_set(a: Any) -> bool:
            found = any(sem.matches_kind(a, k) in vs for k, vs in groups.items())
            return found != negate

        return test_set
    if op == "contains":
        kind, value = prepared
        return lambda a: sem.contains(a, kind, value)
    pattern = prepared
    return lambda a: pattern.fullmatch(a) if type(a) is str else None


def _leaf(leaf: Leaf, rule_id: str) -> tuple[Pred, Tracer]:
    get = make_getter(leaf.fact)
    if leaf.op in ("missing", "present"):
        want = leaf.op == "missing"

        def pred_unary(o: Any) -> bool:
            return sem.is_missing(get(o)) == want

        def trace_unary(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
            a = get(o)
            result = sem.is_missing(a) == want
            note = "missing" if sem.is_missing(a) else ""
            out.append(TraceEntry(prefix + leaf.fact, leaf.op, None, jsonable(a), result, note))
            return result

        return pred_unary, trace_unary
    test = _leaf_test(leaf, rule_id)
    expected, shown = _expected_kind(leaf), jsonable(leaf.value)

    def pred(o: Any) -> bool:
        a = get(o)
        return not sem.is_missing(a) and test(a) is True

    listed = type(shown) is list  # each entry gets its own copy of a list value

    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        a = get(o)
        outcome: bool | None = False
        if sem.is_missing(a):
            note = "missing"
        else:
            outcome = test(a)
            note = "" if outcome is not None else (
                f"type mismatch: expected {expected}, got {sem.type_name(a)}")
        out.append(TraceEntry(prefix + leaf.fact, leaf.op, list(shown) if listed else shown,
                              jsonable(a), outcome is True, note))
        return outcome is True

    return pred, trace


def _expected_kind(leaf: Leaf) -> str:
    if leaf.op == "matches":
        return "text"
    if leaf.op in sem.ORDER_OPS and sem.kind_of(leaf.value) == "text":
        return "a date"
    kind = sem.kind_of(leaf.value)
    return {"number": "a number", "bool": "yes/no"}.get(kind, kind)


def _quantifier(q: Quantifier, rule_id: str, depth: int) -> tuple[Pred, Tracer]:
    get = make_getter(q.fact)
    inner, inner_trace = compile_condition(q.where, rule_id, depth + 1)
    every = q.kind == "all_items"

    def pred(o: Any) -> bool:
        items = get(o)
        if type(items) is not list or not items:
            return False
        return all(map(inner, items)) if every else any(map(inner, items))

    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        items = get(o)
        if type(items) is not list or not items:
            note = "missing" if sem.is_missing(items) else f"not a list: {sem.type_name(items)}"
            out.append(TraceEntry(prefix + q.fact, q.kind, None, jsonable(items), False, note))
            return False
        results = [inner_trace(item, f"{prefix}{q.fact}[{i}].", out)
                   for i, item in enumerate(items)]
        result = all(results) if every else any(results)
        note = f"{sum(results)} of {len(results)} items match"
        out.append(TraceEntry(prefix + q.fact, q.kind, None, len(results), result, note))
        return result

    return pred, trace


def _combine(preds: Sequence[Pred], tracers: Sequence[Tracer], every: bool) -> tuple[Pred, Tracer]:
    if len(preds) == 2:
        a, b = preds
        pred: Pred = (lambda o: a(o) and b(o)) if every else (lambda o: a(o) or b(o))
    elif every:
        pred = lambda o: all(p(o) for p in preds)  # noqa: E731
    else:
        pred = lambda o: any(p(o) for p in preds)  # noqa: E731

    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        results = [t(o, prefix, out) for t in tracers]
        return all(results) if every else any(results)

    return pred, trace


def compile_condition(cond: Condition, rule_id: str, depth: int = 0) -> tuple[Pred, Tracer]:
    """(predicate, tracer) for one condition tree; raises RuleCompileError on bad leaves."""
    if depth > sem.MAX_DEPTH:
        raise RuleCompileError(f"conditions nested deeper than {sem.MAX_DEPTH}", rule_id)
    if isinstance(cond, Leaf):
        return _leaf(cond, rule_id)
    if isinstance(cond, All | AnyOf):
        parts = [compile_condition(c, rule_id, depth + 1) for c in cond.items]
        if len(parts) == 1:
            return parts[0]
        return _combine([p for p, _ in parts], [t for _, t in parts], isinstance(cond, All))
    if isinstance(cond, Not):
        inner, inner_trace = compile_condition(cond.item, rule_id, depth + 1)
        return (lambda o: not inner(o)), (lambda o, p, out: not inner_trace(o, p, out))
    return _quantifier(cond, rule_id, depth)


def _always(o: Any) -> bool:
    return True


def _always_trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
    return True


class PythonRules:
    """A rule list compiled to closures; evaluates a document in pure Python."""

    def __init__(self, specs: Sequence[RuleSpec]) -> None:
        self.ids = tuple(s.id for s in specs)
        compiled = [compile_condition(s.when, s.id) if s.when is not None
                    else (_always, _always_trace) for s in specs]
        self._preds = tuple(zip(self.ids, (p for p, _ in compiled), strict=True))
        self._tracers = {s.id: t for s, (_, t) in zip(specs, compiled, strict=True)}

    def all_hold(self, positions: Sequence[int], document: dict[str, Any]) -> bool:
        """Whether the rules at ``positions`` all hold (the fail-closed re-check)."""
        preds = self._preds
        return all(preds[i][1](document) for i in positions)

    def fired(self, document: dict[str, Any]) -> list[str]:
        """Ids of the rules whose condition holds, in the given order."""
        return [rule_id for rule_id, pred in self._preds if pred(document)]

    def trace(self, rule_id: str, document: dict[str, Any]) -> tuple[bool, tuple[TraceEntry, ...]]:
        """(fired, trace) for one rule, every leaf evaluated."""
        out: list[TraceEntry] = []
        result = self._tracers[rule_id](document, "", out)
        return result, tuple(out)
