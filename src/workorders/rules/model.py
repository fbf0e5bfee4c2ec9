"""The input and output contract of the rules package.

It is independent of the bundle model on purpose: the platform (or a test)
builds ``RuleSpec``s from whatever it has, and gets the same ``Evaluation``
whichever engine ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from workorders.definitions.conditions import Condition


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule as the engines see it: an id and an optional condition tree."""

    id: str
    when: Condition | None


class TraceEntry(NamedTuple):
    """One evaluated condition: what was compared, with what, and the outcome.

    JSON-able: Decimals are rendered as strings. ``fact`` is the absolute path
    with list positions (``form.materials[2].quantity``). An immutable named
    tuple rather than a frozen dataclass: traces are written on every
    evaluation the platform stores, and a tuple is built about 3x faster.
    """

    fact: str
    op: str
    value: Any
    actual: Any
    result: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "op": self.op, "value": self.value,
                "actual": self.actual, "result": self.result, "note": self.note}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of evaluating one fact document against one compiled rule set.

    ``fired`` is in the rules' given order. ``traces`` holds the trace of every
    fired rule (and of every rule when asked); ``evaluate`` produces them lazily,
    on first access per rule, because deciding is the hot path and most callers
    read a handful of traces at most. ``errors`` lists facts of an unexpected
    type seen in those traces (they evaluated to false); engine failures raise.
    """

    engine: str
    fired: tuple[str, ...]
    traces: Mapping[str, tuple[TraceEntry, ...]] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(
            f"{e.fact}: {e.note}" for trace in self.traces.values() for e in trace
            if e.note.startswith("type")))
