"""Static checks of admin-written Jinja templates.

Templates render in the hardened sandbox (``sandbox``) at send/export time; a
typo there would fail in production, long after the upload. So every template is
compiled here, in that same sandbox, and its names and attribute chains
(``case.customer.name``) are checked against the facts of the case types it can
run for. What the sandbox would refuse at render (``_`` names such as
``''.__class__.__mro__``, ``|attr``, oversized values, runaway loops) is refused
here with its line (``template_static``).
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import TemplateSyntaxError, meta, nodes

from .check_budget import check_time_left
from .limits import MAX_TEMPLATE_LENGTH
from .sandbox import sandbox
from .schema_check import suggest
from .template_static import static_problems

#: The links the platform gives rule and notification templates, and nothing more: a
#: customer's approval link goes out in its own email (require_approval with customer),
#: it is not a name templates can read.
LINK_NAMES: tuple[str, ...] = ("status_page", "case")
#: The seller's details every template can read (``seller.name``...).
SELLER_NAMES: tuple[str, ...] = ("name", "org_number", "vat_id", "peppol_id", "email", "phone")
SELLER_EXTRAS: tuple[str, ...] = tuple(f"seller.{key}" for key in SELLER_NAMES)
#: Names rule and notification templates can use besides the facts.
TEMPLATE_EXTRAS: tuple[str, ...] = (*(f"links.{name}" for name in LINK_NAMES), *SELLER_EXTRAS)
#: Names connector option templates can use besides the facts: the seller and the
#: invoice being exported (an export is no message to a person: it has no ``links``).
INVOICE_EXTRAS: tuple[str, ...] = (*SELLER_EXTRAS, "invoice.number", "invoice.date",
                                   "invoice.due_date", "invoice.kind", "invoice.credited_number")


class Vocabulary:
    """Known dotted paths and the namespaces (objects) whose keys are all known."""

    def __init__(self, paths: Iterable[str], objects: Iterable[str] = ()) -> None:
        self.paths = set(paths)
        self.namespaces = set(objects)
        for path in list(self.paths):
            parts = path.split(".")
            for i in range(1, len(parts)):
                self.namespaces.add(".".join(parts[:i]))
        self.roots = {p.split(".")[0] for p in self.paths}


def _chain(node: nodes.Node) -> tuple[list[str], nodes.Node]:
    """``a.b['c'].d`` -> (['b', 'c', 'd'], Name a); stops at a dynamic subscript."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
              and isinstance(node.arg.value, str)):
            parts.append(node.arg.value)
            node = node.node
        else:
            return parts[::-1], node


def _check_chain(segments: list[str], vocab: Vocabulary) -> str | None:
    """The first unknown dotted prefix of a chain rooted at a known name, or None."""
    for i in range(1, len(segments)):
        prefix = ".".join(segments[: i + 1])
        if prefix in vocab.paths or prefix in vocab.namespaces:
            continue
        parent = ".".join(segments[:i])
        return prefix if (parent in vocab.namespaces and parent not in vocab.paths) \
            or parent in vocab.namespaces else None
    return None


def template_problems(source: str, vocab: Vocabulary) -> list[tuple[str, str | None]]:
    """(message, hint) for everything wrong with one template; empty when it is fine."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        return [(f"the template is longer than {MAX_TEMPLATE_LENGTH} characters", None)]
    check_time_left()
    try:
        ast = sandbox().parse(source)
        unsafe = static_problems(ast)
        if unsafe:
            return [(unsafe[0], "templates can only read facts such as case.number, with "
                     "small loops and values")]
        sandbox().compile(ast)
    except TemplateSyntaxError as exc:
        return [(f"the template does not compile: {exc.message} (template line {exc.lineno})",
                 "check the {{ }} and {% %} pairs and filter names")]
    except RecursionError:
        return [("the template nests too deeply to be read", "write fewer brackets or "
                 "operators in one expression, e.g. by splitting it with {% set %}")]
    problems: dict[str, str | None] = {}
    for name in sorted(meta.find_undeclared_variables(ast)):
        if name not in vocab.roots:
            problems[f"the template uses unknown name '{name}'"] = (
                suggest(name, vocab.roots) or f"known names: {', '.join(sorted(vocab.roots))}")
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        segments, base = _chain(node)
        if not isinstance(base, nodes.Name) or base.name not in vocab.roots:
            continue
        unknown = _check_chain([base.name, *segments], vocab)
        if unknown:
            parent = unknown.rsplit(".", 1)[0]
            siblings = sorted(p for p in vocab.paths | vocab.namespaces
                              if p.rsplit(".", 1)[0] == parent)
            problems[f"the template uses unknown fact '{unknown}'"] = suggest(
                unknown, siblings) or f"{parent} has {', '.join(siblings)}"
    return list(problems.items())


def reads_name(source: str, name: str) -> bool:
    """Whether a template reads the top-level ``name`` (e.g. ``previous``), so a
    check can say where that name is not given; a template that does not compile
    reads nothing here (``template_problems`` reports it)."""
    if len(source) > MAX_TEMPLATE_LENGTH or name not in source:
        return False
    try:
        return name in meta.find_undeclared_variables(sandbox().parse(source))
    except (TemplateSyntaxError, RecursionError):
        return False
