"""Shared machinery for the generated rule code (predicates and tracers).

Generated text holds only names made here (``v0``, ``K3`` ...), fixed operators
and keywords, never a fact path or a value from a bundle: keys, constants,
converters and tests are bound into the module's namespace as objects.
"""

from __future__ import annotations

from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not
from workorders.rules import semantics as sem

#: condition nodes generated per rule list and kind of code (predicates, tracers):
#: compiling generated code costs about 0.1 ms per condition, so a maximal bundle
#: (2,000 rules of 32 leaves) must not be generated whole; rules past the budget
#: use the closure tracers
GENERATED_NODES = 3_000


class Module:
    """The source of generated functions and the objects they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self._names = 0
        self._bound: dict[tuple[str, type, Any], str] = {}

    def bind(self, prefix: str, value: Any) -> str:
        """A global name for ``value`` in the generated module (one per hashable value)."""
        key = (prefix, type(value), value) if _hashable(value) else None
        if key is not None and key in self._bound:
            return self._bound[key]
        name = f"{prefix}{self._names}"
        self._names += 1
        self.namespace[name] = value
        if key is not None:
            self._bound[key] = name
        return name

    def fresh(self, prefix: str) -> str:
        name = f"{prefix}{self._names}"
        self._names += 1
        return name

    def run(self, filename: str) -> dict[str, Any]:
        """Compile and execute the source; the namespace then holds the functions."""
        exec(compile("\n".join(self.lines), filename, "exec"), self.namespace)
        return self.namespace


class Reader:
    """One function body's hoisted reads of a single object (``o``)."""

    def __init__(self, module: Module, obj: str) -> None:
        self.module, self.obj = module, obj
        self.lines: list[str] = []
        self._reads: dict[tuple[str, ...], str] = {}

    def read(self, fact: str) -> str:
        """The local holding ``fact`` (``None`` when absent), read once."""
        path = sem.path_of(fact)
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix in self._reads:
                continue
            parent = self.obj if depth == 1 else self._reads[path[:depth - 1]]
            key = self.module.bind("K", path[depth - 1])
            local = self.module.fresh("v")
            self.lines.append(f"{local} = {parent}.get({key}) if type({parent}) is dict else None")
            self._reads[prefix] = local
        return self._reads[path]

    def missing(self, fact: str) -> str:
        """An expression: whether ``fact`` is missing (``semantics.is_missing``)."""
        v = self.read(fact)
        return f"({v} is None or {v} == '' or (type({v}) is list and not {v}))"


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def count_nodes(cond: Condition) -> int:
    """Leaves and quantifiers in a condition tree: the size of its generated code."""
    if isinstance(cond, Leaf):
        return 1
    if isinstance(cond, All | AnyOf):
        return sum(count_nodes(c) for c in cond.items)
    if isinstance(cond, Not):
        return count_nodes(cond.item)
    return 1 + count_nodes(cond.where)
