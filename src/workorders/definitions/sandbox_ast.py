"""The parsed template, rewritten so its loops, macros and joins report to the meter.

Jinja compiles a ``{% for %}`` to a plain Python loop that no sandbox hook sees,
so nested loops over long lists ran unchecked. Before compiling, every loop's
iterable is passed through ``environment.iterate`` (one meter tick per item), the
literal text of a loop or macro body is counted each time the body runs, and
``a ~ b`` goes through ``environment.sized`` (each part through
``environment.text`` first, so a missing value joins as "", not "None").
Constructs with no bounded meaning are refused with their line: recursive
loops, and number literals that are infinite or too large to print.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from jinja2 import TemplateSyntaxError, nodes
from jinja2.visitor import NodeTransformer

from .sandbox_limits import MAX_INT_BITS

_SCOPES = (nodes.For, nodes.Macro, nodes.CallBlock)


def _hook(name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(name, lineno=lineno), args, [], None, None,
                      lineno=lineno)


def literal_length(body: Iterable[nodes.Node]) -> int:
    """Literal text one run of ``body`` writes, leaving out bodies metered on their own."""
    total = 0
    for node in body:
        if isinstance(node, nodes.TemplateData):
            total += len(node.data)
        elif isinstance(node, nodes.For):
            total += literal_length(node.else_)
        elif not isinstance(node, _SCOPES):
            total += literal_length(node.iter_child_nodes())
    return total


def constant_problem(node: nodes.Const) -> str | None:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool) and \
            value.bit_length() > MAX_INT_BITS:
        return f"the number is larger than 2**{MAX_INT_BITS}"
    if isinstance(value, float) and not math.isfinite(value):
        return "the number is too large (it is not finite)"
    return None


class _Harden(NodeTransformer):
    def visit_Const(self, node: nodes.Const) -> nodes.Node:
        problem = constant_problem(node)
        if problem:
            raise TemplateSyntaxError(problem, node.lineno)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise TemplateSyntaxError("recursive loops are not allowed", node.lineno)
        self.generic_visit(node)
        node.iter = _hook("iterate", [node.iter], node.lineno)  # type: ignore[list-item]
        node.body.insert(0, self._meter(node.body, node.lineno))
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        self.generic_visit(node)
        node.body.insert(0, self._meter(node.body, node.lineno))
        return node

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        self.generic_visit(node)
        node.body.insert(0, self._meter(node.body, node.lineno))
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_hook("text", [part], part.lineno) for part in node.nodes]
        return _hook("sized", [node], node.lineno)

    @staticmethod
    def _meter(body: list[nodes.Node], lineno: int) -> nodes.Output:
        count = nodes.Const(literal_length(body), lineno=lineno)
        return nodes.Output([_hook("meter_text", [count], lineno)], lineno=lineno)


def harden(ast: nodes.Template) -> nodes.Template:
    """Rewrite ``ast`` in place (see the module docstring) and return it."""
    _Harden().visit(ast)
    return ast
