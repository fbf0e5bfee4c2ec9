"""What the sandbox would refuse at render, found at validation with the line.

The sandbox refuses ``_`` attributes, ``|attr``, oversized values and runaway
loops only when a template runs, which for a rule's notification may be weeks
after the upload. These checks read the parsed template and refuse the same
things up front: unsafe names and dunder texts (``'{0.__class__}'.format``,
``map(attribute='__class__')``), the filters the sandbox leaves out, and every
part whose arguments are written in the template and break a limit (``'x' *
10**8``, ``|center(1e8)``, ``[0] * 5000`` looped in a loop). The size rules are
the sandbox's own functions, called on the constants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from string import Formatter
from typing import Any

from jinja2 import nodes

from .sandbox import REMOVED_FILTERS, as_text, bounded_range, check_format_string
from .sandbox_limits import MAX_ITERATIONS, MAX_OUTPUT, TemplateLimitError
from .sandbox_ops import BINOPS, check_binop, check_filter, check_method_call

_DUNDER = re.compile(r"__\w+__")
_OPERATORS: dict[type[nodes.Node], str] = {
    nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/", nodes.FloorDiv: "//",
    nodes.Mod: "%", nodes.Pow: "**"}
_UNKNOWN = object()


def _at(message: str, node: nodes.Node) -> str:
    return f"{message} (template line {node.lineno})"


#: filters whose first argument names an attribute of the items (others take attribute=)
_ATTRIBUTE_FIRST = frozenset({"selectattr", "rejectattr", "groupby"})


def _private(text: Any) -> bool:
    """``'_x'`` or ``'a.__class__'``: an attribute path reaching for a ``_`` name."""
    return isinstance(text, str) and any(part.startswith("_") for part in text.split("."))


def _unsafe_names(ast: nodes.Template) -> Iterator[str]:
    why = "names starting with _ are not allowed"
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        name = (node.attr if isinstance(node, nodes.Getattr) else node.name
                if isinstance(node, nodes.Name) else
                _quietly(static_value, node.arg) if isinstance(node, nodes.Getitem) else None)
        if isinstance(name, str) and name.startswith("_"):
            yield _at(f"the template uses '{name}': {why}", node)
    for const in ast.find_all(nodes.Const):
        found = _DUNDER.search(const.value) if isinstance(const.value, str) else None
        if found:
            yield _at(f"the template uses the text '{found.group()}': {why}", const)


def _quietly(evaluate: Any, node: nodes.Node) -> Any:
    """``evaluate(node)``, or ``_UNKNOWN`` where it fails (the render reports that)."""
    try:
        return evaluate(node)
    except (TemplateLimitError, TypeError, ValueError, ArithmeticError):
        return _UNKNOWN


def _filter_problems(ast: nodes.Template) -> Iterator[str]:
    for node in ast.find_all(nodes.Filter):
        if node.name in REMOVED_FILTERS:
            yield _at(f"the template uses |{node.name}, which templates cannot use; write the "
                      "attribute itself, e.g. case.customer.name", node)
        named = [*(node.args[:1] if node.name in _ATTRIBUTE_FIRST else []),
                 *(k.value for k in node.kwargs if k.key == "attribute")]
        for arg in named:
            if isinstance(arg, nodes.Const) and _private(arg.value):
                yield _at(f"the template reads the attribute '{arg.value}': names starting "
                          "with _ are not allowed", arg)


def _format_problems(ast: nodes.Template) -> Iterator[str]:
    for call in ast.find_all(nodes.Call):
        method = call.node
        if not (isinstance(method, nodes.Getattr) and method.attr in ("format", "format_map")
                and isinstance(method.node, nodes.Const) and isinstance(method.node.value, str)):
            continue
        try:
            fields = [f for _, f, _, _ in Formatter().parse(method.node.value) if f]
            check_format_string(method.node.value)
        except ValueError as exc:
            yield _at(f"the format string does not parse: {exc}", call)
            continue
        except TemplateLimitError as exc:
            yield _at(str(exc.message), call)
            continue
        for field in fields:
            if re.search(r"[.\[]_", field):
                yield _at(f"the format string reads '{{{field}}}': names starting with _ are "
                          "not allowed", call)


def static_value(node: nodes.Node) -> Any:
    """The value of an expression written entirely in the template, else ``_UNKNOWN``.

    Raises ``TemplateLimitError`` where the sandbox would refuse to build it.
    """
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List | nodes.Tuple):
        items = [static_value(i) for i in node.items]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else items
    if isinstance(node, nodes.Neg):
        value = static_value(node.node)
        return -value if isinstance(value, int | float) else _UNKNOWN
    name = _OPERATORS.get(type(node))
    if name is not None:
        left, right = static_value(node.left), static_value(node.right)  # type: ignore[attr-defined]
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        check_binop(name, left, right)
        try:
            return BINOPS[name](left, right)
        except (TypeError, ValueError, ArithmeticError):
            return _UNKNOWN
    if isinstance(node, nodes.Concat):
        parts = [static_value(n) for n in node.nodes]
        return _UNKNOWN if any(p is _UNKNOWN for p in parts) else "".join(str(p) for p in parts)
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute):
        inner = static_value(node.args[0]) if node.node.name in ("sized", "text") \
            else _UNKNOWN
        return as_text(inner) if node.node.name == "text" else inner
    if isinstance(node, nodes.Call):
        return _static_call(node)
    if isinstance(node, nodes.Filter) and node.node is not None:
        value = static_value(node.node)
        args, kwargs = _static_args(node)
        if args is not None:  # an unknown value is measured as empty: the arguments alone
            check_filter(node.name, "" if value is _UNKNOWN else value, tuple(args),
                         kwargs or {})
    return _UNKNOWN


def _static_args(node: nodes.Call | nodes.Filter) -> tuple[list[Any] | None, dict[str, Any] | None]:
    args = [static_value(a) for a in node.args]
    kwargs = {str(k.key): static_value(k.value) for k in node.kwargs}
    if node.dyn_args is not None or node.dyn_kwargs is not None \
            or any(v is _UNKNOWN for v in [*args, *kwargs.values()]):
        return None, None
    return args, kwargs


def _static_call(node: nodes.Call) -> Any:
    args, kwargs = _static_args(node)
    if args is None:
        return _UNKNOWN
    if isinstance(node.node, nodes.Name) and node.node.name == "range" and not kwargs:
        return bounded_range(*args)
    if isinstance(node.node, nodes.Getattr):
        owner = static_value(node.node.node)
        method = getattr(owner, node.node.attr, None) if owner is not _UNKNOWN and \
            not node.node.attr.startswith("_") else None
        if method is not None:
            check_method_call(method, tuple(args), kwargs or {})
    return _UNKNOWN


def _loop_length(loop: nodes.For) -> int:
    """Items the loop runs over when they are written in the template, else 1."""
    iterable = loop.iter
    if isinstance(iterable, nodes.Call) and isinstance(iterable.node, nodes.EnvironmentAttribute):
        iterable = iterable.args[0]  # the sandbox's counting wrapper
    try:
        value = static_value(iterable)
    except (TypeError, ValueError, ArithmeticError):
        return 1
    return len(value) if isinstance(value, list | str | range) else 1


def _size_problems(ast: nodes.Template) -> Iterator[str]:
    for node in ast.find_all(nodes.Expr):
        try:
            static_value(node)
        except TemplateLimitError as exc:
            yield _at(str(exc.message), node)
            return
        except (TypeError, ValueError, ArithmeticError):
            continue  # fails at render with its own message; not a size problem
    yield from _loop_problems(ast, 1)


def _loop_problems(node: nodes.Node, outer: int) -> Iterator[str]:
    """Loops nested in loops multiply: refuse when the written-out items exceed the limit."""
    runs = outer
    if isinstance(node, nodes.For):
        runs = outer * _loop_length(node)
        if runs > MAX_ITERATIONS:
            yield _at(f"the template repeats more than {MAX_ITERATIONS} times "
                      "(loop items of all loops together)", node)
            return
    for child in node.iter_child_nodes():
        yield from _loop_problems(child, runs)


def _written(node: nodes.Node, runs: int) -> int:
    """Characters the template writes that are known before it runs, loops multiplied."""
    if isinstance(node, nodes.For):
        runs *= _loop_length(node)
    if isinstance(node, nodes.TemplateData):
        return len(node.data) * runs
    if isinstance(node, nodes.Output):
        known = [_quietly(static_value, n) for n in node.nodes]
        return runs * sum(len(str(v)) for v in known if v is not _UNKNOWN) + sum(
            _written(n, runs) for n in node.nodes if isinstance(n, nodes.TemplateData))
    return sum(_written(child, runs) for child in node.iter_child_nodes())


def _output_problems(ast: nodes.Template) -> Iterator[str]:
    written = 0
    for part in ast.body:
        written += _written(part, 1)
        if written > MAX_OUTPUT:
            yield _at(f"the template writes more than {MAX_OUTPUT} characters (loops multiply "
                      "the text inside them)", part)
            break
    for macro in ast.find_all(nodes.Macro):
        for call in macro.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == macro.name:
                yield _at(f"the macro '{macro.name}' calls itself; templates cannot recurse",
                          call)


def static_problems(ast: nodes.Template) -> list[str]:
    """Sentences, each with its template line, for what the sandbox would refuse."""
    for check in (_unsafe_names, _filter_problems, _format_problems, _size_problems,
                  _output_problems):
        found = list(check(ast))
        if found:
            return found
    return []
