"""A time budget for checks that run a tenant's own definitions.

Validation, golden tests and simulation execute what an admin wrote (templates,
rules, test data). Each piece is bounded on its own, but many bounded pieces can
still hold a server thread for minutes, so the platform runs them under one
wall-clock budget: the sandbox checks it inside every render, and the golden
runner and the simulation check it between tests and cases. Past the budget the
checks stop with ``CheckBudgetExceeded``, which the API answers as 422.

The budget is cooperative (a deadline in a context variable, checked often), so
it costs nothing where no budget is set: run-time rendering has its own limits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from workorders.errors import ValidationFailed

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("check_deadline", default=None)


class CheckBudgetExceeded(ValidationFailed):
    """The checks of a definition ran past their budget (a 422: the bundle is at fault)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the checks of this definition took longer than {seconds:g} s; make its "
            "templates, rules or golden tests smaller (e.g. fewer loops or tests) and try again")
        self.seconds = seconds


@contextmanager
def check_budget(seconds: float) -> Iterator[None]:
    """Run the body under a budget of ``seconds`` (an outer budget that ends sooner wins)."""
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(outer if outer is not None and outer[0] <= deadline
                          else (deadline, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def budget_deadline() -> float | None:
    """The monotonic time the current checks must end by, or None outside a budget."""
    current = _DEADLINE.get()
    return None if current is None else current[0]


def check_time_left() -> None:
    """Raise ``CheckBudgetExceeded`` when the current budget is spent."""
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise CheckBudgetExceeded(current[1])
