"""Connector options the receiver cannot do without must never render empty.

Fortnox refuses an invoice without ``CustomerNumber`` and ERPNext one without
``customer``, and neither format has a value of its own to fall back on (Peppol's
``BuyerReference`` falls back to the case's references, so ``buyer_reference`` is
not listed). A template that renders empty there is found only at export, as a
dead export weeks after the upload, so validation decides from the template's
text, the one rule docs/connectors.md states: what the template writes outside
``{% if %}`` and loops must contain something that cannot be empty, which is

* literal text, or a fact every export has (``case.number``, ``invoice.number``...);
* the fact readiness demands before export (``case.customer.erp_id``: an invoice
  whose customer has none is held as not ready, never sent);
* an ``or`` whose last part is one of these, ``|default('x', true)``, an
  ``a if c else b`` whose both sides are, or one of these through a text filter.
"""

from __future__ import annotations

from jinja2 import TemplateSyntaxError, nodes

from .sandbox import sandbox

#: format -> option -> the element the receiver needs it for
MANDATORY_OPTIONS: dict[str, dict[str, str]] = {
    "fortnox_invoice": {"customer_number": "CustomerNumber"},
    "erpnext_sales_invoice": {"customer": "customer"},
}
#: facts every export has, never empty
ALWAYS_GIVEN = frozenset({"case.number", "case.type", "case.status", "invoice.number",
                          "invoice.date", "invoice.kind"})
#: the fact these formats' readiness requires (connectors' ``buyer.erp_id`` requirement)
READINESS_GUARDED = "case.customer.erp_id"
NEVER_EMPTY = ALWAYS_GIVEN | {READINESS_GUARDED}
#: filters that keep a value that is not empty not empty
_KEEPING = frozenset({"capitalize", "e", "escape", "lower", "string", "title", "trim",
                      "upper"})
HINT = ("give it a fallback that is never empty, e.g. {{ ... or case.customer.erp_id }} "
        "(readiness holds the invoice until the customer has one) or {{ ... or 'text' }}")


def _dotted(node: nodes.Node) -> str | None:
    """``case.customer.erp_id`` for that chain of names, else None."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    return ".".join([node.name, *reversed(parts)]) if isinstance(node, nodes.Name) else None


def _default_is_forced(node: nodes.Filter) -> bool:
    """``|default(x, true)``: the fallback also replaces an empty value, not only a missing one."""
    forced = [*node.args[1:2], *(k.value for k in node.kwargs if k.key == "boolean")]
    return any(isinstance(f, nodes.Const) and f.value is True for f in forced)


def _never_empty(node: nodes.Node) -> bool:
    if isinstance(node, nodes.TemplateData):
        return bool(node.data.strip())
    if isinstance(node, nodes.Const):
        return node.value is not None and bool(str(node.value).strip())
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute):
        return node.node.name in ("sized", "text") and _never_empty(node.args[0])
    if isinstance(node, nodes.Concat):
        return any(_never_empty(part) for part in node.nodes)
    if isinstance(node, nodes.Or):
        return _never_empty(node.right)
    if isinstance(node, nodes.CondExpr):
        return node.expr2 is not None and _never_empty(node.expr1) and _never_empty(node.expr2)
    if isinstance(node, nodes.Filter) and node.node is not None:
        if node.name in ("default", "d") and node.args and _default_is_forced(node):
            return _never_empty(node.args[0]) or _never_empty(node.node)
        return node.name in _KEEPING and _never_empty(node.node)
    return _dotted(node) in NEVER_EMPTY


def _written(ast: nodes.Template) -> list[nodes.Node]:
    """What the template writes whatever its data: its top-level output, not ifs or loops."""
    return [part for output in ast.body if isinstance(output, nodes.Output)
            for part in output.nodes]


def _may_be_missing(written: list[nodes.Node]) -> str | None:
    """The first fact written that may have no value, to name it in the message."""
    for part in written:
        for node in [part, *part.find_all((nodes.Getattr, nodes.Getitem))]:
            path = _dotted(node)
            if path is not None and path not in NEVER_EMPTY:
                return path
    return None


def mandatory_option_problem(fmt: str, option: str, source: str) -> str | None:
    """Why option ``option`` of a ``fmt`` connector can leave its element empty, or None."""
    element = MANDATORY_OPTIONS.get(fmt, {}).get(option)
    if element is None:
        return None
    try:
        ast = sandbox().parse(source)
    except TemplateSyntaxError:
        return None  # the template checks report it
    written = _written(ast)
    if any(_never_empty(part) for part in written):
        return None
    missing = _may_be_missing(written)
    return (f"option '{option}' can render empty, but the {fmt} format cannot send an "
            f"invoice without its {element}"
            + (f" (when {missing} has no value)" if missing else ""))
