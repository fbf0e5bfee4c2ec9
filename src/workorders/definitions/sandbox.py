"""The one sandbox every admin-written template is compiled and rendered in.

Rule messages, notifications, connector options and the static checks at
validation all use ``sandbox()``, so what validation accepts is exactly what
renders. It is Jinja's immutable sandbox (no ``_`` attributes, no mutating
lists or dicts) with ``StrictUndefined`` (a missing name fails instead of
rendering nothing; ``None``, a fact with no value, renders as an empty string,
also through text filters, ``join``, ``~`` and ``%``, so an invoice never reads
"None") and with every render
bounded in time and size (``sandbox_limits``): loop items, calls, output,
intermediate texts and lists, numbers, padding widths and wall-clock time.
``|attr`` (attribute names as data) and ``lipsum`` (unbounded filler text) are
left out; nothing a tenant writes needs them. ``date``, ``datetime``, ``clock``,
``money`` and ``number`` format in the tenant's locale and time zone, which the
platform passes in the context (``FORMATTING_NAME``): the same formatter as the
pages, so an email reads ``1 234,50 kr`` where the page does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache, wraps
from itertools import islice
from string import Formatter
from typing import Any

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    nodes,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from workorders.errors import WorkordersError

from .formatting import Formatting
from .sandbox_ast import harden
from .sandbox_limits import (
    MAX_ITERATIONS,
    MAX_LENGTH,
    MAX_OUTPUT,
    TemplateLimitError,
    active_meter,
    check_length,
    check_value,
    current_meter,
    metered,
)
from .sandbox_ops import BINOPS, check_binop, check_filter, check_format_spec, check_method_call

#: filters and globals a template may not use (see the module docstring)
REMOVED_FILTERS = ("attr",)
REMOVED_GLOBALS = ("lipsum",)
#: the Python limit on printing whole numbers, which the lexer hits on long literals
_PRINTABLE_DIGITS = 4300
#: filters that turn their value into text: a missing value (None) becomes "" first
TEXT_FILTERS = frozenset({
    "capitalize", "center", "e", "escape", "forceescape", "indent", "lower", "replace",
    "string", "striptags", "title", "trim", "truncate", "upper", "urlencode", "wordwrap"})


#: the context name the platform puts the tenant's :class:`Formatting` under; a
#: template cannot name it (validation knows no such fact), only the filters read it
FORMATTING_NAME = "_formatting"


def _formatting(context: Context) -> Formatting:
    found = context.get(FORMATTING_NAME)
    return found if isinstance(found, Formatting) else Formatting()


@pass_context
def _date_filter(context: Context, value: Any) -> str:
    """``{{ case.scheduled_start|date }}``: the day in the tenant's locale and zone."""
    return "" if value is None else _formatting(context).date(value)


@pass_context
def _datetime_filter(context: Context, value: Any, with_zone: bool = True) -> str:
    """``{{ case.scheduled_start|datetime }}``: ``tors 26 nov. 2026 08:00 CET``."""
    return "" if value is None else _formatting(context).datetime(value, bool(with_zone))


@pass_context
def _clock_filter(context: Context, value: Any) -> str:
    return "" if value is None else _formatting(context).clock(value)


@pass_context
def _money_filter(context: Context, value: Any, currency: str | None = None) -> str:
    """``{{ totals.net_amount|money }}``: ``1 234,50 kr`` in the tenant's currency."""
    return _formatting(context).money(value, currency)


@pass_context
def _number_filter(context: Context, value: Any, decimals: int | None = None) -> str:
    return _formatting(context).number(value, decimals)


#: the tenant-aware filters templates get besides Jinja's own (same names as the pages')
LOCALE_FILTERS = {"date": _date_filter, "datetime": _datetime_filter, "clock": _clock_filter,
                  "money": _money_filter, "number": _number_filter}


class RenderFailed(WorkordersError):
    """A template could not be rendered; the message says why, for the admin who wrote it."""


def _finalize(value: Any) -> str:
    text = "" if value is None else str(value)
    meter = active_meter()  # None while constants are folded at compile time
    if meter is not None:
        meter.produce(len(text))
    return text


def as_text(value: Any) -> Any:
    """A missing value (None) as the empty text it renders as; anything else unchanged."""
    return "" if value is None else value


def _missing_as_text(name: str, value: Any) -> Any:
    """The value a text filter or ``join`` works on, with missing values as ""."""
    if name in TEXT_FILTERS:
        return as_text(value)
    if name == "join" and isinstance(value, list | tuple):
        return [as_text(item) for item in value]
    return value


def _capped_join(pieces: Iterable[str]) -> str:
    """The rendered text, refused as soon as it grows past MAX_OUTPUT."""
    kept: list[str] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateLimitError(f"the text is longer than {MAX_OUTPUT} characters")
        kept.append(piece)
    return "".join(kept)


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_ITERATIONS:
        raise TemplateLimitError(f"range() is limited to {MAX_ITERATIONS} numbers")
    return numbers


def _guard_filter(name: str, func: Any) -> Any:
    """``func`` with a call tick, a size check of its arguments and one of its result."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        current_meter().call()
        value = args[skip]
        if isinstance(value, Iterator):  # e.g. from |map: measured, then passed on as a list
            value = list(islice(value, MAX_LENGTH + 1))
            check_length(len(value), "list")
        value = _missing_as_text(name, value)
        args = (*args[:skip], value, *args[skip + 1:])
        check_filter(name, value, args[skip + 1:], kwargs)
        return check_value(func(*args, **kwargs))

    return guarded


class BoundedTemplate(Template):
    """A template whose every render runs under a fresh meter."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with metered():
            return super().render(*args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        raise TypeError("hardened templates render in one piece: use render()")


class HardenedEnvironment(ImmutableSandboxedEnvironment):
    """See the module docstring; build it through ``sandbox()``."""

    intercepted_binops = frozenset(BINOPS)
    concat = staticmethod(_capped_join)

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, finalize=_finalize)
        self.template_class = BoundedTemplate
        for name in REMOVED_FILTERS:
            del self.filters[name]
        for name in REMOVED_GLOBALS:
            del self.globals[name]
        self.globals["range"] = bounded_range
        self.filters.update(LOCALE_FILTERS)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        try:
            ast = super()._parse(source, name, filename)
        except ValueError as exc:  # a number literal too long for Python to read
            raise TemplateSyntaxError("a number in the template is too large",
                                      self._long_number_line(source), name, filename) from exc
        harden(ast).set_environment(self)
        return ast

    def _long_number_line(self, source: str) -> int:
        for lineno, kind, value in self.lex(source):
            if kind in ("integer", "float") and len(value) > _PRINTABLE_DIGITS:
                return lineno
        return 1

    # hooks the rewritten templates call (sandbox_ast)
    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        meter = current_meter()
        for item in iterable:
            meter.iterate()
            yield item

    def meter_text(self, size: int) -> str:
        current_meter().produce(size)
        return ""

    def sized(self, text: str) -> str:
        return str(check_value(text))

    def text(self, value: Any) -> Any:
        return as_text(value)

    # the sandbox's own hooks, now metered and size-checked
    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        current_meter().call()
        check_method_call(__obj, args, kwargs)
        return check_value(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):  # '%s' % value formats text
            right = tuple(map(as_text, right)) if isinstance(right, tuple) else as_text(right)
        check_binop(operator, left, right)
        return check_value(BINOPS[operator](left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        current_meter().check_clock()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        current_meter().check_clock()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Any:
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            check_format_string(value.__self__)
        return wrapper


def check_format_string(template: str) -> None:
    """``'{:>99999999}'.format(x)``: refuse huge or data-given widths before formatting."""
    for _, field, spec, _ in Formatter().parse(template):
        if field is not None and spec:
            if "{" in spec:
                raise TemplateLimitError("the template takes a format width from its data; "
                                         "write the width as a number")
            check_format_spec(spec)


@lru_cache(maxsize=1)
def sandbox() -> HardenedEnvironment:
    """The shared hardened environment (one per process; it holds no render state)."""
    return HardenedEnvironment()


@lru_cache(maxsize=1024)
def compile_template(source: str) -> Template:
    """Compiled once per source text: the same few templates render for every case."""
    return sandbox().from_string(source)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render one admin-written template; any failure is a ``RenderFailed`` saying why.

    ``CheckBudgetExceeded`` passes through: it ends the checks, not one template.
    """
    try:
        return compile_template(source).render(context)
    except TemplateError as exc:
        raise RenderFailed(exc.message or type(exc).__name__) from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        raise RenderFailed(f"{type(exc).__name__}: {exc}") from exc
