"""The façade the platform uses: compile once, evaluate many times, either engine.

``compile_rules(namespace, specs, engine)`` validates every rule against the
shared limits (so a bundle that runs on one engine runs on the other), builds
the pure-Python evaluator (always: it writes the traces) and, for
``engine="durable"``, the durable-rules chunks. Compiled rule sets are cached
per process by namespace, content hash and engine, at most ``registry.limit()``
of them, least recently used out (``registry``).
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workorders.rules.compiler import check_rules, compile_chunks
from workorders.rules.errors import RuleCompileError, RuleEngineError
from workorders.rules.evaluator import PythonRules
from workorders.rules.model import Evaluation, RuleSpec, TraceEntry
from workorders.rules.registry import Lru, limit

EngineName = Literal["durable", "python"]
ENGINES: tuple[str, ...] = ("durable", "python")
#: (name, engine) from ``compile_rules``, plus the callers' own keys (``remember``)
_cache: Lru[tuple[str, ...], CompiledRules] = Lru()
_cache_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class CompiledRules:
    """A rule list ready to evaluate; ``name`` is immutable per content."""

    name: str
    engine: str
    ids: tuple[str, ...]
    python: PythonRules
    durable: Any = None  # engine.DurableRules when engine == "durable"


def content_hash(specs: Sequence[RuleSpec]) -> str:
    """A stable digest of the rules' content (ids and condition trees)."""
    return hashlib.sha256(repr(tuple(specs)).encode()).hexdigest()[:16]


def compile_rules(namespace: str, specs: Sequence[RuleSpec],
                  engine: EngineName = "durable", *, keep: bool = True) -> CompiledRules:
    """Compile (or fetch from this process's cache) ``specs`` for ``engine``.

    ``keep=False`` leaves the cache as it was: for a one-off (a bundle's golden
    tests at validation) that must neither stay in memory nor push out what
    live versions use.
    """
    if engine not in ENGINES:
        raise RuleEngineError(f"unknown rules engine {engine!r}; use one of {ENGINES}")
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise RuleCompileError("duplicate rule id", spec.id)
        seen.add(spec.id)
    name = f"{namespace}:{content_hash(specs)}"
    with _cache_lock:
        found = _cache.get((name, engine))
        if found is not None:
            return found
        check_rules(specs)
        durable = None
        if engine == "durable":
            module = importlib.import_module("workorders.rules.engine")
            durable = module.DurableRules(name, compile_chunks(specs))
        compiled = CompiledRules(name, engine, tuple(s.id for s in specs),
                                 PythonRules(specs), durable)
        if keep:
            _cache.put((name, engine), compiled, limit())
        return compiled


def recall(key: tuple[str, ...]) -> CompiledRules | None:
    """A compiled rule list a caller kept under its own key (``remember``), if still kept."""
    return _cache.get(key)


def remember(key: tuple[str, ...], compiled: CompiledRules) -> None:
    """Keep ``compiled`` under a caller's cheaper key too, in the same bounded cache
    (so the bound counts every reference the cache holds)."""
    _cache.put(key, compiled, limit())


def cached_count() -> int:
    """Entries in the compiled rule lists' cache (at most ``registry.limit()``)."""
    return len(_cache)


def evaluate(rules: CompiledRules, document: dict[str, Any], *,
             trace_all: bool = False, eager: bool = False) -> Evaluation:
    """Which rules fire for ``document`` (in the rules' order), with traces.

    The chosen engine decides what fires. For durable-rules every fired rule is
    re-checked by the Python evaluator of the same semantics: a disagreement
    raises RuleEngineError (fail closed) instead of guessing. By default the
    re-check is the fast predicate and the traces are written lazily, on first
    read (``LazyTraces``); a trace whose verdict contradicts the decision raises
    too. ``eager`` writes the fired rules' traces now and lets them be the
    re-check (the platform stores them anyway, so the predicate would be a second
    pass); ``trace_all`` traces, and so re-checks, every rule now. The document
    must not be changed while its traces may still be read.
    """
    python = rules.python
    if rules.durable is not None:
        positions = sorted(rules.durable.fired(document))
        fired = tuple(rules.ids[i] for i in positions)
        if not (eager or trace_all) and not python.all_hold(positions, document):
            raise RuleEngineError(f"engines disagree on a fired rule of {rules.name}")
    else:
        fired = tuple(python.fired(document))
    if eager and not trace_all:
        return Evaluation(rules.engine, fired, _fired_traces(rules, document, fired))
    traces = LazyTraces(rules, document, fired, rules.ids if trace_all else fired)
    for rule_id in rules.ids if trace_all else ():
        traces[rule_id]  # written now, so a disagreement raises here
    return Evaluation(rules.engine, fired, traces)


def _fired_traces(rules: CompiledRules, document: dict[str, Any],
                  fired: tuple[str, ...]) -> dict[str, tuple[TraceEntry, ...]]:
    """The fired rules' traces, written now; each must confirm its rule fired."""
    trace = rules.python.trace
    traces = {}
    for rule_id in fired:
        result, traces[rule_id] = trace(rule_id, document)
        if not result:
            raise RuleEngineError(f"engines disagree on rule {rule_id} of {rules.name}")
    return traces


class LazyTraces(Mapping[str, tuple[TraceEntry, ...]]):
    """The traces of the fired rules, each written on first access and kept."""

    def __init__(self, rules: CompiledRules, document: dict[str, Any],
                 fired: tuple[str, ...], keys: tuple[str, ...]) -> None:
        self._rules, self._document, self._fired = rules, document, frozenset(fired)
        self._keys = keys
        self._known = self._fired if keys is fired else frozenset(keys)
        self._done: dict[str, tuple[TraceEntry, ...]] = {}

    def __getitem__(self, rule_id: str) -> tuple[TraceEntry, ...]:
        found = self._done.get(rule_id)
        if found is not None:
            return found
        if rule_id not in self._known:
            raise KeyError(rule_id)
        result, trace = self._rules.python.trace(rule_id, self._document)
        if result != (rule_id in self._fired):
            raise RuleEngineError(f"engines disagree on rule {rule_id} of {self._rules.name}")
        self._done[rule_id] = trace
        return trace

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
