"""Comparing what a golden test observed with its ``expect``, in plain words.

Each message names the expectation and what actually happened, and where it
helps, why (the trace sentences of the rule in question), because the person
reading it is an admin whose publish was just refused. Lists in ``expect``
are "includes" checks: ``fired: [a]`` passes when a fired, whatever else did;
use ``not_fired`` to rule something out. ``exceptions``, ``approvals`` and
``notified`` work the same way. An ``action_failed`` outcome always fails the
test: a template that breaks on the admin's own example would break in use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workorders.rules.model import TraceEntry
from workorders.rules.outcomes import ACTION_FAILED, Outcome, failure_message
from workorders.rules.readiness import Readiness
from workorders.rules.trace import TraceNames, describe

#: trace sentences quoted per rule in a failure message
MAX_SENTENCES = 6


@dataclass(frozen=True)
class Observed:
    """What one test's evaluation produced."""

    fired: tuple[str, ...]
    outcomes: list[Outcome]
    status: str
    refused: list[str]  # transitions actions asked for that did not happen, and why
    readiness: Readiness
    explain: Callable[[str], Any]  # rule id -> trace entries or a sentence
    names: TraceNames | None = None  # the labels the sentences name facts by

    def of_kind(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]


def _listed(values: Iterable[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _why(observed: Observed, rule_id: str, result: bool) -> str:
    """The trace sentences that made ``rule_id`` come out ``result``."""
    trace = observed.explain(rule_id)
    if isinstance(trace, str):
        return trace
    entries: Sequence[TraceEntry] = [e for e in trace if e.result == result]
    if not entries:
        return f"{rule_id} has no conditions" if result else f"{rule_id}: no condition held"
    sentences = [describe(e, observed.names) for e in entries[:MAX_SENTENCES]]
    more = len(entries) - MAX_SENTENCES
    return f"{rule_id}: " + "; ".join(sentences) + (f"; and {more} more" if more > 0 else "")


def _includes(key: str, expected: Sequence[str], actual: Sequence[str], verb: str) -> str | None:
    missing = [x for x in expected if x not in actual]
    if not missing:
        return None
    return f"expected {key} to include {', '.join(missing)}; {verb}: {_listed(actual)}"


def _fired(expect: Mapping[str, Any], observed: Observed) -> list[str]:
    out: list[str] = []
    missing = [r for r in expect.get("fired", ()) if r not in observed.fired]
    if missing:
        reasons = "; ".join(_why(observed, r, False) for r in missing)
        out.append(f"expected fired to include {', '.join(missing)}; fired: "
                   f"{_listed(observed.fired)} (why not: {reasons})")
    for rule in expect.get("not_fired", ()):
        if rule in observed.fired:
            out.append(f"expected {rule} not to fire; it fired ({_why(observed, rule, True)})")
    return out


def _readiness(expect: Mapping[str, Any], observed: Observed) -> list[str]:
    if "invoice_ready" not in expect or expect["invoice_ready"] == observed.readiness.ready:
        return []
    blockers = "; ".join(f"{b.kind}: {b.reason}" for b in observed.readiness.blockers)
    actual = "true" if observed.readiness.ready else f"false (blockers: {blockers})"
    wanted = "true" if expect["invoice_ready"] else "false"
    return [f"expected invoice_ready {wanted}; it is {actual}"]


def _status(expect: Mapping[str, Any], observed: Observed) -> list[str]:
    if "status" not in expect or expect["status"] == observed.status:
        return []
    refused = f" ({'; '.join(observed.refused)})" if observed.refused else ""
    return [f"expected status {expect['status']}; status: {observed.status}{refused}"]


def check_expectations(expect: Mapping[str, Any], observed: Observed) -> list[str]:
    """Every failed action, then every unmet expectation, as a sentence. A failed
    action comes first: it is usually why an expectation is unmet (a template that
    could not render leaves its approval unrequested), and publishing quotes the
    first failure only."""
    failures = [failure_message(o) for o in observed.of_kind(ACTION_FAILED)]
    failures += _fired(expect, observed)
    codes = [str(o.params["code"]) for o in observed.of_kind("raise_exception")]
    approvers = [str(o.params["approver"]) for o in observed.of_kind("require_approval")]
    templates = [str(o.params["template"]) for o in observed.of_kind("notify")]
    for key, actual, verb in (("exceptions", codes, "raised"),
                              ("approvals", approvers, "requested"),
                              ("notified", templates, "notified")):
        message = _includes(key, list(expect.get(key, ())), actual, verb)
        if message:
            failures.append(message)
    failures += _readiness(expect, observed)
    failures += _status(expect, observed)
    return failures
