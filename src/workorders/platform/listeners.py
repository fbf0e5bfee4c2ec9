"""SQLAlchemy event listeners that a module installs once, when it is first used.

Several services keep per-transaction memory in ``session.info`` (a loaded case, its
outcomes, the audit chain's end, the jobs to dispatch) and must forget or move it
when a session commits or rolls back. Each declares its listeners here and calls
``install()`` where it first needs them: cheap after the first call (one attribute
read on the hot path), and safe when two threads of a server get there at once (a
listener installed twice would run twice).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event


class Listeners:
    """``(event name, function)`` pairs on ``target`` (a class such as ``Session``)."""

    def __init__(self, target: Any, *pairs: tuple[str, Callable[..., Any]]) -> None:
        self._target = target
        self._pairs = pairs
        self._installed = False
        self._lock = threading.Lock()

    def install(self) -> None:
        if self._installed:
            return
        with self._lock:
            if not self._installed:
                for name, function in self._pairs:
                    event.listen(self._target, name, function)
                self._installed = True
