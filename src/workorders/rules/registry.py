"""How many compiled rule lists a process keeps: one bound, least recently used out.

A compiled rule list holds generated Python code and, for durable-rules, C
rulesets (about 67 KB each plus 8 KB per rule: ~8 MB for 500 rules). Kept for
the process's life, they grew a server with every bundle it ever compiled.
One limit (``set_limit``; the platform's ``WORKORDERS_RULES_CACHE_SIZE``)
bounds both the compiled rule lists (``api``) and the rule lists whose
rulesets are live in durable-rules (``engine``); an evicted one is compiled,
or its rulesets created, again when it is needed.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_LIMIT = 256
_limit = DEFAULT_LIMIT


def limit() -> int:
    """The most rule lists a process keeps compiled (and live in durable-rules)."""
    return _limit


def checked_limit(count: object) -> int:
    """``count`` (a number or its text) as a bound, or ValueError saying what one is."""
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"must be a whole number of at least 1, not {count!r}")
    return count


def set_limit(count: int) -> None:
    """Change the bound; caches shrink to it on their next insertion."""
    global _limit
    try:
        _limit = checked_limit(count)
    except ValueError as exc:
        raise ValueError(f"the rules cache size {exc}") from None


_instances: weakref.WeakSet[Lru[object, object]] = weakref.WeakSet()


class Lru(Generic[K, V]):
    """A mapping that forgets its least recently used entries beyond a bound.

    Its own lock makes each call atomic (a lookup also moves the entry to the
    end); the lock is re-created in a forked child like the engine's.
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        _instances.add(self)  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V, bound: int) -> list[V]:
        """Keep ``value`` as the most recent; the values evicted to stay within ``bound``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            evicted = []
            while len(self._entries) > bound:
                evicted.append(self._entries.popitem(last=False)[1])
            return evicted

    def items(self) -> list[tuple[K, V]]:
        with self._lock:
            return list(self._entries.items())

    def __len__(self) -> int:
        return len(self._entries)


def _after_fork() -> None:
    for lru in list(_instances):
        lru._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
