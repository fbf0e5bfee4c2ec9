"""The pure-Python evaluator: the reference semantics and the source of traces.

Each condition tree is compiled once into a tracer, closures that evaluate
every leaf and record a ``TraceEntry`` per leaf and per quantifier; the
decision itself uses the generated predicates of ``predicates`` (the fast
path), and the differential tests hold both to the same answers. Paths are
split at compile time, so evaluation never parses strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier
from workorders.rules import codegen
from workorders.rules import semantics as sem
from workorders.rules.codegen import count_nodes
from workorders.rules.errors import RuleCompileError
from workorders.rules.leaves import (
    SCALARS,
    entry,
    expected_kind,
    jsonable,
    leaf_test,
    list_note,
    mismatch_note,
)
from workorders.rules.model import RuleSpec, TraceEntry
from workorders.rules.predicates import compile_predicates
from workorders.rules.tracegen import Tracer, compile_tracers


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


def _leaf(leaf: Leaf, rule_id: str) -> Tracer:
    get, fact, op = make_getter(leaf.fact), leaf.fact, leaf.op
    if op in ("missing", "present"):
        want = op == "missing"

        def trace_unary(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
            a = get(o)
            missing = sem.is_missing(a)
            shown = a if type(a) in SCALARS else jsonable(a)
            out.append(entry((prefix + fact, op, None, shown, missing == want,
                               "missing" if missing else "")))
            return missing == want

        return trace_unary
    test = leaf_test(leaf, rule_id)
    expected, value = expected_kind(leaf), jsonable(leaf.value)
    listed = type(value) is list  # each entry gets its own copy of a list value

    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        a = get(o)
        if sem.is_missing(a):
            out.append(entry((prefix + fact, op, list(value) if listed else value,
                               None if a is None else jsonable(a), False, "missing")))
            return False
        outcome = test(a)
        note = "" if outcome is not None else mismatch_note(expected, a)
        out.append(entry((prefix + fact, op, list(value) if listed else value,
                           a if type(a) in SCALARS else jsonable(a), outcome is True, note)))
        return outcome is True

    return trace


def _quantifier(q: Quantifier, rule_id: str, depth: int) -> Tracer:
    get = make_getter(q.fact)
    inner_trace = compile_tracer(q.where, rule_id, depth + 1)
    every = q.kind == "all_items"

    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        items = get(o)
        if type(items) is not list or not items:
            out.append(TraceEntry(prefix + q.fact, q.kind, None, jsonable(items), False,
                                  list_note(items)))
            return False
        results = [inner_trace(item, f"{prefix}{q.fact}[{i}].", out)
                   for i, item in enumerate(items)]
        result = all(results) if every else any(results)
        note = f"{sum(results)} of {len(results)} items match"
        out.append(TraceEntry(prefix + q.fact, q.kind, None, len(results), result, note))
        return result

    return trace


def _combine(tracers: Sequence[Tracer], every: bool) -> Tracer:
    def trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
        results = [t(o, prefix, out) for t in tracers]  # every part, no short-circuit
        return all(results) if every else any(results)

    return trace


def compile_tracer(cond: Condition, rule_id: str, depth: int = 0) -> Tracer:
    """The tracer of one condition tree; raises RuleCompileError on bad leaves."""
    if depth > sem.MAX_DEPTH:
        raise RuleCompileError(f"conditions nested deeper than {sem.MAX_DEPTH}", rule_id)
    if isinstance(cond, Leaf):
        return _leaf(cond, rule_id)
    if isinstance(cond, All | AnyOf):
        parts = [compile_tracer(c, rule_id, depth + 1) for c in cond.items]
        return parts[0] if len(parts) == 1 else _combine(parts, isinstance(cond, All))
    if isinstance(cond, Not):
        inner = compile_tracer(cond.item, rule_id, depth + 1)
        return lambda o, p, out: not inner(o, p, out)
    return _quantifier(cond, rule_id, depth)


def _decide_by_tracing(tracer: Tracer, document: Any) -> bool:
    """The decision of a rule without a generated predicate (see ``compile_predicates``)."""
    return tracer(document, "", [])


def _always_trace(o: Any, prefix: str, out: list[TraceEntry]) -> bool:
    return True


class PythonRules:
    """A rule list compiled for pure-Python evaluation.

    Decisions use the generated predicates; traces use generated tracers, each
    made on a rule's first trace (only fired rules are traced, so a large rule
    list pays for the few that fire, not upfront). Past the generation budget,
    and as the reference, the closure tracers (``reference_trace``) do both.
    """

    def __init__(self, specs: Sequence[RuleSpec]) -> None:
        self.ids = tuple(s.id for s in specs)
        self._specs = {s.id: s for s in specs}
        self._closures = {s.id: compile_tracer(s.when, s.id) if s.when is not None
                          else _always_trace for s in specs}
        self._tracers: dict[str, Tracer] = {}
        self._generated_nodes = 0
        generated = compile_predicates(specs)
        self._predicates = tuple(
            predicate or partial(_decide_by_tracing, self._closures[s.id])
            for s, predicate in zip(specs, generated, strict=True))
        self._preds = tuple(zip(self.ids, self._predicates, strict=True))

    def all_hold(self, positions: Sequence[int], document: dict[str, Any]) -> bool:
        """Whether the rules at ``positions`` all hold (the fail-closed re-check)."""
        predicates = self._predicates
        return all(predicates[i](document) for i in positions)

    def fired(self, document: dict[str, Any]) -> list[str]:
        """Ids of the rules whose condition holds, in the given order."""
        return [rule_id for rule_id, pred in self._preds if pred(document)]

    def trace(self, rule_id: str, document: dict[str, Any]) -> tuple[bool, tuple[TraceEntry, ...]]:
        """(fired, trace) for one rule, every leaf evaluated."""
        tracer = self._tracers.get(rule_id)
        if tracer is None:
            tracer = self._tracers[rule_id] = self._generate_tracer(rule_id)
        out: list[TraceEntry] = []
        result = tracer(document, "", out)
        return result, tuple(out)

    def _generate_tracer(self, rule_id: str) -> Tracer:
        """The rule's generated tracer, or its closure past the generation budget.

        Two threads may both generate one rule's tracer: equivalent functions,
        the last stored wins.
        """
        spec = self._specs[rule_id]
        if spec.when is None:
            return _always_trace
        size = count_nodes(spec.when)
        if self._generated_nodes + size > codegen.GENERATED_NODES:
            return self._closures[rule_id]
        self._generated_nodes += size
        (tracer,) = compile_tracers([spec], budget=size)
        return tracer or self._closures[rule_id]

    def reference_trace(self, rule_id: str,
                        document: dict[str, Any]) -> tuple[bool, tuple[TraceEntry, ...]]:
        """``trace`` by the closure tracers, the reference the generated ones must match."""
        out: list[TraceEntry] = []
        result = self._closures[rule_id](document, "", out)
        return result, tuple(out)
