"""What one render of an admin-written template may cost, and the meter that counts it.

A template is a small program written by a tenant admin and run by the server,
at validation (golden tests) and at run time (notifications, rule messages,
connector options). Jinja's sandbox keeps it away from Python internals but not
from the CPU or the memory: nested loops, ``'x' * 10**8``, ``|center(1e8)`` or
``10 ** 5000`` each took the whole server. So every render runs under a meter
(one per render, in a context variable) that the sandbox ticks on each loop item,
call, attribute access and piece of output, and every size is checked before
the value is built. Each limit breaks the render with ``TemplateLimitError``, a
sentence saying which limit; callers show it like any other render failure.
"""

from __future__ import annotations

import gc
import math
import re
import threading
import time
from collections.abc import Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2.sandbox import SecurityError

from .check_budget import budget_deadline, check_time_left

#: longest rendered text (a notification body is far shorter)
MAX_OUTPUT = 20_000
#: longest text or list a template may build on the way
MAX_LENGTH = 100_000
#: text produced in all, also inside loops, macros and {% set %} blocks
MAX_PRODUCED = 1_000_000
#: loop items in all, nested loops multiply
MAX_ITERATIONS = 10_000
#: calls of methods, filters and macros in all
MAX_CALLS = 50_000
#: largest exponent of ``**``
MAX_EXPONENT = 64
#: largest whole number, in bits (about 77 digits)
MAX_INT_BITS = 256
#: processor time one render may use (the rendering thread's CPU time, not the
#: wall clock: a busy machine that descheduled the thread is not the template's fault,
#: and a sandboxed template cannot wait on anything, so CPU time is all it can burn;
#: the garbage collector's share of that time is not counted either, see _CollectorClock)
MAX_RENDER_SECONDS = 1.0


class _CollectorClock(threading.local):
    """Processor time the garbage collector has taken on this thread.

    A collection runs on whichever thread happened to allocate when a generation
    filled up, and in a large process a full collection can take a second on its
    own: billing it to the template that was rendering then failed a two-line
    template at random. So the meter counts the thread's processor time minus
    what the collector took meanwhile."""

    started: float | None = None
    spent: float = 0.0

    def on_collect(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.thread_time()
        elif self.started is not None:
            self.spent += time.thread_time() - self.started
            self.started = None


_COLLECTOR = _CollectorClock()
gc.callbacks.append(_COLLECTOR.on_collect)


def template_cpu_time() -> float:
    """This thread's processor time, without the garbage collector's share."""
    return time.thread_time() - _COLLECTOR.spent


class TemplateLimitError(SecurityError):
    """A template went past one of the limits above; the message names the limit."""


@dataclass(slots=True)
class Meter:
    """What one render has used so far, and when it must end: ``cpu_deadline`` on
    the thread's processor clock, ``deadline`` (the checks' budget, when one runs)
    on the wall clock."""

    cpu_deadline: float
    deadline: float
    iterations: int = 0
    calls: int = 0
    produced: int = 0

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            check_time_left()  # the checks' budget ran out: it ends the checks
        if template_cpu_time() > self.cpu_deadline:
            raise TemplateLimitError(
                f"the template took longer than {MAX_RENDER_SECONDS:g} s to render")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise TemplateLimitError(f"the template repeats more than {MAX_ITERATIONS} times "
                                     "(loop items of all loops together)")
        self.check_clock()

    def call(self) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise TemplateLimitError(f"the template makes more than {MAX_CALLS} calls")
        self.check_clock()

    def produce(self, size: int) -> None:
        self.produced += size
        if self.produced > MAX_PRODUCED:
            raise TemplateLimitError(
                f"the template produces more than {MAX_PRODUCED} characters of text")


_METER: ContextVar[Meter | None] = ContextVar("template_meter", default=None)


@contextmanager
def metered() -> Iterator[Meter]:
    """A fresh meter for one render, ending at the render limit or the checks' budget."""
    outer = budget_deadline()
    token = _METER.set(Meter(template_cpu_time() + MAX_RENDER_SECONDS,
                             math.inf if outer is None else outer))
    try:
        check_time_left()
        yield _METER.get()  # type: ignore[misc]
    finally:
        _METER.reset(token)


def current_meter() -> Meter:
    """The running render's meter; templates only run inside ``metered()``."""
    meter = _METER.get()
    if meter is None:
        raise TemplateLimitError("templates render only through the hardened sandbox's render")
    return meter


def active_meter() -> Meter | None:
    """The meter when a render runs, None at compile time (constant folding)."""
    return _METER.get()


def check_length(length: float, what: str = "text") -> None:
    """Refuse a text or list of ``length`` before it is built."""
    if length > MAX_LENGTH:
        raise TemplateLimitError(f"the template builds a {what} longer than {MAX_LENGTH} "
                                 "characters or items")


def check_number(value: Any) -> Any:
    """Refuse whole numbers beyond MAX_INT_BITS and infinite or NaN numbers."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(f"the template computes a number larger than 2**{MAX_INT_BITS}")
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise TemplateLimitError("the template computes a number that is not finite")
    return value


def check_value(value: Any) -> Any:
    """Refuse a value a call or filter returned that is too large; return it otherwise."""
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        check_length(len(value), "text" if isinstance(value, str | bytes) else "list")
    else:
        check_number(value)
    return value


def length_of(value: Any) -> int:
    return len(value) if isinstance(value, Sized) else len(str(value))


_DIGITS = re.compile(r"\d+")


def check_widths(spec: str) -> None:
    """Refuse padding, width or precision numbers beyond MAX_LENGTH in a format spec."""
    for digits in _DIGITS.findall(spec):
        if len(digits) > 7 or int(digits) > MAX_LENGTH:
            raise TemplateLimitError(f"the template pads or formats to more than {MAX_LENGTH} "
                                     "characters")


#: one %-conversion: the optional (key), then flags, width and precision
_PERCENT = re.compile(r"%(?:\([^)]*\))?([-#0 +*\d.]*)")


def check_percent_format(template: str) -> None:
    """``'%99999999d' % 1``: refuse huge widths and widths taken from the arguments."""
    for spec in _PERCENT.findall(template):
        if "*" in spec:
            raise TemplateLimitError("the template takes a %-format width from its data; write "
                                     "the width as a number")
        check_widths(spec)
