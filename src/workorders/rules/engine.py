"""The durable-rules path: the only module that imports durable-rules.

Driven through the C extension's synchronous fact API, without
``durable.engine.Host`` (whose timer threads visit every ruleset forever).
Each measured hazard of durable-rules 2.0.28 has its guard here or in
``compiler``/``projection`` (see docs/rules-engine.md):

- rulesets are named ``<namespace>:<content hash>#<chunk>`` (immutable per
  content) and created lazily, under the lock; the rule lists whose rulesets
  are live are bounded (``registry.limit()``): the least recently used one's
  rulesets are deleted (``delete_ruleset`` frees every pool once no session
  is left, and the lock guarantees none is) and created again if needed;
- facts, not events (a fact fires every matching rule); a fresh session id per
  evaluation and a fixed fact id (no content-hash dedupe); the session is
  always deleted, so the 1,024 live sessions per ruleset are never reached;
- deleting a session where no action started segfaults: every ruleset has a
  lowest-priority sentinel matching every snapshot, so an action always runs;
  a missing sentinel firing raises (fail closed) and that session is not deleted;
- the C calls never release the GIL and a shared session gives wrong results:
  one process-wide lock, re-created in a forked child.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

import durable_rules_engine as _dre  # type: ignore[import-not-found]

from workorders.rules.compiler import SENTINEL, TAG, Chunk
from workorders.rules.errors import RuleEngineError
from workorders.rules.registry import Lru, limit

log = logging.getLogger(__name__)
#: tries per ruleset creation (see ``_create``)
CREATE_ATTEMPTS = 3
_lock = threading.Lock()
#: rule list name -> its chunks' ruleset handles, for the rule lists live in the C heap
_live: Lru[str, tuple[int, ...]] = Lru()
_session_ids = itertools.count()
_pid = os.getpid()
#: one encoder for every snapshot (``json.dumps`` with options builds one per call)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _after_fork() -> None:
    global _lock, _pid
    _lock = threading.Lock()
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork)


class DurableRules:
    """Chunks of one compiled rule list, as durable-rules rulesets of this process."""

    def __init__(self, name: str, chunks: Sequence[Chunk]) -> None:
        self.name = name
        self.chunks = tuple(chunks)
        #: whether chunk i needs its own payload (it does not share the previous projection)
        self._fresh = tuple(i == 0 or c.project != self.chunks[i - 1].project
                            for i, c in enumerate(self.chunks))

    def _handles(self) -> tuple[int, ...]:
        """Every chunk's live ruleset, created if needed; lock held.

        Looked up on every evaluation, never kept on the object: once evicted, a
        handle may already number another rule list's ruleset.
        """
        handles = _live.get(self.name)
        if handles is None:
            handles = _create_all(self.name, self.chunks)
            for evicted in _live.put(self.name, handles, limit()):
                _delete(evicted)
        return handles

    def fired(self, document: dict[str, Any]) -> set[int]:
        """Positions of the rules durable-rules fired for ``document``.

        One session id serves every chunk (sessions belong to a ruleset), so
        chunks sharing a projection share one serialised payload too.
        """
        fired: set[int] = set()
        with _lock:
            handles = self._handles()
            sid = f"{_pid}.{next(_session_ids)}"
            payload = ""
            for handle, chunk, fresh in zip(handles, self.chunks, self._fresh, strict=True):
                if fresh:
                    payload = _payload(chunk.project(document), sid)
                if not _run(handle, sid, payload, chunk.positions, fired):
                    raise RuleEngineError(f"{self.name}: evaluation did not complete")
        return fired


def _create_all(name: str, chunks: Sequence[Chunk]) -> tuple[int, ...]:
    """Create every chunk's ruleset, or none: a refused chunk deletes the others."""
    handles: list[int] = []
    try:
        for number, chunk in enumerate(chunks):
            handles.append(_create(f"{name}#{number}", _dumps(chunk.definition)))
    except RuleEngineError:
        _delete(tuple(handles))
        raise
    return tuple(handles)


def _delete(handles: tuple[int, ...]) -> None:
    """Free evicted rulesets; no session is open on them (every evaluation holds the lock)."""
    for handle in handles:
        try:
            _dre.delete_ruleset(handle)
        except _dre.error as exc:
            log.warning("durable-rules could not delete ruleset %d: %s", handle, exc)


def _create(name: str, definition: str) -> int:
    """Create one ruleset, retrying a failed creation a few times.

    durable-rules 2.0.28 now and then refuses a valid definition (error 102, a
    parse error) and accepts the same text when asked again: about once in ten
    thousand creations in the differential test's workload, never for a text on
    its own in a fresh process. It depends on the process's history, not on the
    text (rete.c grows its pools with ``realloc`` while holding pointers into
    them, the likely cause). A definition that fails every attempt fails closed.
    """
    attempt = 1
    while True:
        try:
            handle: int = _dre.create_ruleset(name, definition)
            return handle
        except _dre.error as exc:
            if attempt == CREATE_ATTEMPTS:
                raise RuleEngineError(f"cannot create ruleset {name}: {exc}") from exc
            attempt += 1
            log.warning("durable-rules refused ruleset %s (%s); attempt %d of %d",
                        name, exc, attempt, CREATE_ATTEMPTS)


def _payload(fact: dict[str, Any], sid: str) -> str:
    fact["sid"], fact["id"], fact["t"] = sid, "snapshot", TAG
    try:
        return _dumps(fact)
    except ValueError as exc:
        raise RuleEngineError(f"fact document cannot be serialised: {exc}") from exc


def _run(handle: int, sid: str, payload: str, positions: dict[str, int],
         fired: set[int]) -> bool:
    """One session: assert the snapshot, run every action, delete the session.

    Adds the fired rules' positions to ``fired``; True when the sentinel ran,
    i.e. durable-rules went through every action of the ruleset.
    """
    try:
        code, state = _dre.assert_fact(handle, payload)
    except _dre.error as exc:
        _delete_quietly(handle, sid)
        raise RuleEngineError(f"durable-rules rejected the snapshot: {exc}") from exc
    if code != 0:
        # 1 = nothing matched (no action ran: deleting would segfault), 2 = deduped
        raise RuleEngineError(f"durable-rules answered {code} for a fresh snapshot")
    completed = False
    try:
        result = _dre.start_action_for_state(handle, state)
        while result:
            message = result[1] if type(result) is tuple else result
            name = message[2 : message.index('"', 2)]
            if name == SENTINEL:
                completed = True
            elif name in positions:
                fired.add(positions[name])
            else:
                raise RuleEngineError(f"durable-rules fired an unknown rule {name!r}")
            result = _dre.complete_and_start_action(handle, state)
    except _dre.error as exc:
        raise RuleEngineError(f"durable-rules failed during actions: {exc}") from exc
    finally:
        _dre.delete_state(handle, sid)
    return completed


def _delete_quietly(handle: int, sid: str) -> None:
    # the session may never have been created (e.g. error 204 before creation)
    with contextlib.suppress(_dre.error):
        _dre.delete_state(handle, sid)


def live_ruleset_names() -> list[str]:
    """Names of the rulesets live in this process (for diagnostics and tests)."""
    with _lock:
        return sorted(f"{name}#{number}" for name, handles in _live.items()
                      for number in range(len(handles)))
