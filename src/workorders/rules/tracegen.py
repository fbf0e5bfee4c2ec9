"""Rule tracers generated as straight-line Python, one function per rule.

Traces are written for every fired rule the platform stores, right after the
durable-rules calls, where interpreted work costs most (the C engine has just
evicted it from the caches). The closure tracers of ``evaluator`` call a getter,
a test and a combinator per leaf; here a rule's tracer reads each fact once and
writes each entry inline. Leaf tests, notes and entry construction come from
``leaves``, the same as the closures'; ``test_differential`` requires both
tracers to write identical traces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier
from workorders.rules import codegen
from workorders.rules import semantics as sem
from workorders.rules.codegen import Module, Reader, count_nodes
from workorders.rules.errors import RuleCompileError
from workorders.rules.leaves import (
    SCALARS,
    expected_kind,
    jsonable,
    leaf_test,
    list_note,
    mismatch_note,
)
from workorders.rules.model import RuleSpec, TraceEntry

Tracer = Callable[[Any, str, list[TraceEntry]], bool]


class _Body(Reader):
    """One tracer's body: hoisted reads, then one block per node setting ``r<n>``."""

    def __init__(self, module: Module, rule_id: str, obj: str) -> None:
        super().__init__(module, obj)
        self.rule_id = rule_id
        self.steps: list[str] = []

    def source(self, name: str, params: str, result: str) -> list[str]:
        return [f"def {name}({params}):", *(f"    {line}" for line in self.lines + self.steps),
                f"    return {result}"]

    def node(self, cond: Condition, depth: int) -> str:
        """Steps evaluating ``cond`` (every leaf, no short-circuit); its result's name."""
        if depth > sem.MAX_DEPTH:
            raise RuleCompileError(f"conditions nested deeper than {sem.MAX_DEPTH}", self.rule_id)
        if isinstance(cond, Leaf):
            return self.leaf(cond)
        if isinstance(cond, All | AnyOf):
            parts = [self.node(c, depth + 1) for c in cond.items]
            if len(parts) == 1:
                return parts[0]
            result = self.module.fresh("r")
            if not parts:
                self.steps.append(f"{result} = {isinstance(cond, All)}")
            else:
                joiner = " and " if isinstance(cond, All) else " or "
                self.steps.append(f"{result} = {joiner.join(parts)}")
            return result
        if isinstance(cond, Not):
            inner = self.node(cond.item, depth + 1)
            result = self.module.fresh("r")
            self.steps.append(f"{result} = not {inner}")
            return result
        return self.quantifier(cond, depth)

    def entry_start(self, fact: str, op: str) -> str:
        """Code starting a ``TraceEntry`` of ``fact`` and ``op`` (tuple.__new__: no frame)."""
        new = self.module.bind("NEW", tuple.__new__)
        entry_type = self.module.bind("TE", TraceEntry)
        return (f"{new}({entry_type}, (prefix + {self.module.bind('F', fact)}, "
                f"{self.module.bind('O', op)}, ")

    def leaf(self, leaf: Leaf) -> str:
        v, result = self.read(leaf.fact), self.module.fresh("r")
        start, to_json = self.entry_start(leaf.fact, leaf.op), self.module.bind("J", jsonable)
        shown = f"{v} if type({v}) in {self.module.bind('SC', SCALARS)} else {to_json}({v})"
        if leaf.op in ("missing", "present"):
            missing = self.module.fresh("m")
            self.steps += [
                f"{missing} = {self.missing(leaf.fact)}",
                f"{result} = {'' if leaf.op == 'missing' else 'not '}{missing}",
                f"out.append({start}None, {shown}, {result}, 'missing' if {missing} else '')))",
            ]
            return result
        test = self.module.bind("T", leaf_test(leaf, self.rule_id))
        value = jsonable(leaf.value)
        shown_value = self.module.bind("V", value)
        if type(value) is list:  # each entry gets its own copy of a list value
            shown_value = f"list({shown_value})"
        note = self.module.bind("M", partial(mismatch_note, expected_kind(leaf)))
        outcome = self.module.fresh("x")
        self.steps += [
            f"if {self.missing(leaf.fact)}:",
            f"    {result} = False",
            f"    out.append({start}{shown_value}, "
            f"None if {v} is None else {to_json}({v}), False, 'missing')))",
            "else:",
            f"    {outcome} = {test}({v})",
            f"    {result} = {outcome} is True",
            f"    out.append({start}{shown_value}, {shown}, {result}, "
            f"'' if {outcome} is not None else {note}({v}))))",
        ]
        return result

    def quantifier(self, q: Quantifier, depth: int) -> str:
        """A helper tracing every item through the ``where`` function, then the summary."""
        helper, where = self.module.fresh("q"), self.module.fresh("w")
        inner = _Body(self.module, self.rule_id, "o")
        self.module.lines += inner.source(where, "o, prefix, out", inner.node(q.where, depth + 1))
        start, fact = self.entry_start(q.fact, q.kind), self.module.bind("F", q.fact)
        self.module.lines += [
            f"def {helper}(items, prefix, out):",
            "    if type(items) is not list or not items:",
            f"        out.append({start}None, "
            f"{self.module.bind('J', jsonable)}(items), False, "
            f"{self.module.bind('LN', list_note)}(items))))",
            "        return False",
            f"    results = [{where}(item, f'{{prefix}}{{{fact}}}[{{i}}].', out) "
            "for i, item in enumerate(items)]",
            f"    result = {'all' if q.kind == 'all_items' else 'any'}(results)",
            f"    out.append({start}None, len(results), "
            "result, f'{sum(results)} of {len(results)} items match')))",
            "    return result",
        ]
        result = self.module.fresh("r")
        self.steps.append(f"{result} = {helper}({self.read(q.fact)}, prefix, out)")
        return result



def compile_tracers(specs: Sequence[RuleSpec], budget: int | None = None) -> list[Tracer | None]:
    """One generated tracer per spec with a condition, in order, within ``budget``
    condition nodes (``codegen.GENERATED_NODES``); ``None`` for the others."""
    budget = codegen.GENERATED_NODES if budget is None else budget
    module = Module()
    names: list[str | None] = []
    used = 0
    for index, spec in enumerate(specs):
        size = 0 if spec.when is None else count_nodes(spec.when)
        if spec.when is None or used + size > budget:
            names.append(None)
            continue
        used += size
        body = _Body(module, spec.id, "o")
        module.lines += body.source(f"t{index}", "o, prefix, out", body.node(spec.when, 0))
        names.append(f"t{index}")
    namespace = module.run("<rule tracers>")
    return [None if name is None else namespace[name] for name in names]
