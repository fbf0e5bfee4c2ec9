"""Rule predicates generated as straight-line Python, one function per rule.

The decision (which rules fire) is the hot path of the Python engine and the
fail-closed re-check of the durable path. Closures per condition node cost a
call per leaf, a getter call per read and a dispatch per conversion; here each
rule becomes one function that reads each fact it uses once, converts it once
per kind it is compared as, and tests with inline operators, close to what a
hand-written predicate does. The tracers stay the reference semantics, and the
differential tests hold the two (and durable-rules) to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier
from workorders.rules import codegen
from workorders.rules import semantics as sem
from workorders.rules.codegen import Module, Reader, count_nodes
from workorders.rules.errors import RuleCompileError
from workorders.rules.leaves import leaf_test
from workorders.rules.model import RuleSpec

Pred = Callable[[Any], bool]

_OPERATORS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Body(Reader):
    """One predicate's body: hoisted reads and conversions, then one expression."""

    def __init__(self, module: Module, rule_id: str, obj: str) -> None:
        super().__init__(module, obj)
        self.rule_id = rule_id
        self._converted: dict[tuple[str, str], str] = {}

    def converted(self, fact: str, kind: str) -> str:
        """The local holding ``fact`` converted to ``kind`` (``None``: mismatch)."""
        key = (fact, kind)
        if key not in self._converted:
            value = self.read(fact)
            convert = self.module.bind("C", sem.CONVERTERS[kind])
            local = self.module.fresh("k")
            self.lines.append(f"{local} = {convert}({value})")
            self._converted[key] = local
        return self._converted[key]

    def expr(self, cond: Condition, depth: int) -> str:
        if depth > sem.MAX_DEPTH:
            raise RuleCompileError(f"conditions nested deeper than {sem.MAX_DEPTH}", self.rule_id)
        if isinstance(cond, Leaf):
            return self.leaf(cond)
        if isinstance(cond, All | AnyOf):
            parts = [self.expr(c, depth + 1) for c in cond.items]
            if not parts:
                return "True" if isinstance(cond, All) else "False"
            joiner = " and " if isinstance(cond, All) else " or "
            return "(" + joiner.join(parts) + ")"
        if isinstance(cond, Not):
            return f"(not {self.expr(cond.item, depth + 1)})"
        return self.quantifier(cond, depth)

    def leaf(self, leaf: Leaf) -> str:
        prepared = sem.check_leaf(leaf, self.rule_id)
        op, fact = leaf.op, leaf.fact
        if op == "missing":
            return self.missing(fact)
        if op == "present":
            return f"(not {self.missing(fact)})"
        if op in _OPERATORS:
            kind, value = prepared
            # every missing value converts to None, so no separate missing test
            k, constant = self.converted(fact, kind), self.module.bind("N", value)
            return f"({k} is not None and {k} {_OPERATORS[op]} {constant})"
        if op in sem.SET_OPS:
            groups: dict[str, set[Any]] = {}
            for kind, value in prepared:
                groups.setdefault(kind, set()).add(value)
            found = " or ".join(f"{self.converted(fact, kind)} in {self.module.bind('S', values)}"
                                for kind, values in groups.items())
            negation = "not " if op == "not_in" else ""
            return f"(not {self.missing(fact)} and {negation}({found}))"
        test = self.module.bind("T", leaf_test(leaf, self.rule_id))  # contains, matches
        return f"(not {self.missing(fact)} and {test}({self.read(fact)}) is True)"

    def quantifier(self, q: Quantifier, depth: int) -> str:
        """A helper function looping over the items; items are read inside it."""
        name = self.module.fresh("q")
        inner = _Body(self.module, self.rule_id, "o")
        test = inner.expr(q.where, depth + 1)
        every = q.kind == "all_items"
        self.module.lines += [
            f"def {name}(items):",
            "    if type(items) is not list or not items:",
            "        return False",
            "    for o in items:",
            *(f"        {line}" for line in inner.lines),
            f"        if {'not ' if every else ''}{test}:",
            f"            return {'False' if every else 'True'}",
            f"    return {'True' if every else 'False'}",
        ]
        return f"{name}({self.read(q.fact)})"


def _always(o: Any) -> bool:
    return True


def compile_predicates(specs: Sequence[RuleSpec],
                       budget: int | None = None) -> list[Pred | None]:
    """One predicate per spec, in order; raises RuleCompileError on bad leaves.

    Only the first ``budget`` condition nodes of a rule list are generated
    (``codegen.GENERATED_NODES``: thousands of ordinary rules); a rule past it
    gets ``None`` and the caller decides with its tracer instead, slower per
    evaluation but never a long compile.
    """
    budget = codegen.GENERATED_NODES if budget is None else budget
    module = Module()
    names: list[str | None] = []
    used = 0
    for index, spec in enumerate(specs):
        if spec.when is None:
            names.append("")
            continue
        size = count_nodes(spec.when)
        if used + size > budget:
            names.append(None)
            continue
        used += size
        body = _Body(module, spec.id, "o")
        test = body.expr(spec.when, 0)
        name = f"p{index}"
        module.lines += [f"def {name}(o):", *(f"    {line}" for line in body.lines),
                         f"    return {test}"]
        names.append(name)
    namespace = module.run("<rule predicates>")
    return [None if name is None else namespace[name] if name else _always for name in names]
