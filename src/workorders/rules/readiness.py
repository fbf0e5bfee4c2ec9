"""Invoice readiness, computed from a status and outcomes (never stored).

Pure, so the golden tests answer ``invoice_ready`` exactly as the platform does
from the same inputs. Ready iff:

- the work is done: the status is a ``work_complete`` state or a state that can
  only be reached through one (``definitions.lifecycle.is_work_complete_or_later``:
  ready_for_invoice and invoiced count; in_progress after a reopen and
  cancelled do not);
- no ``block_invoicing`` outcome is active (always blocks);
- no approval is pending (a ``require_approval`` outcome not yet decided);
- no open exception of severity ``high`` or ``critical`` (``low`` and ``medium``
  are worked in the queue but do not stop the invoice);
- no ``action_failed`` outcome is open: a rule could not do what it says, so the
  case needs a person before money goes out (fail closed);
- plus whatever ``extra`` blockers the caller adds (the platform adds the data
  each connector needs).

Blockers read as ``{kind, rule, reason}``; ``kind`` is one of work, block,
approval, exception, action_failed (and data, from the platform).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import CaseType
from workorders.rules.outcomes import ACTION_FAILED, Outcome, failure_message

BLOCKING_SEVERITIES = frozenset({"high", "critical"})


@dataclass(frozen=True, slots=True)
class Blocker:
    kind: str
    reason: str
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule": self.rule, "reason": self.reason}


#: a blocker's kind as the badge beside it reads (the kind itself is the API's)
KIND_WORDS: dict[str, str] = {
    "work": "Work", "approval": "Approval", "exception": "Exception", "data": "Missing data",
    "block": "Blocked by a rule", ACTION_FAILED: "A rule failed",
}


def kind_words(kind: str) -> str:
    """"Missing data" for ``data``; an unknown kind as words, never the id."""
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


def approver_words(approver: str) -> str:
    """Who decides an approval, in the one wording every page, blocker and timeline
    uses: ``role:coordinator`` → "a coordinator" (any one of them may decide),
    ``role:admin`` → "an admin", ``user:x@y`` → "x@y", ``customer`` → "the customer".

    It reads right after "waiting for", "Only ... can decide this", "for" and
    "approval by", so there is no second, plural wording to drift from it."""
    kind, _, who = approver.partition(":")
    if kind == "role":
        return f"an {who}" if who[:1] in "aeiou" else f"a {who}"
    return who or "the customer"


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    blockers: tuple[Blocker, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "blockers": [b.to_dict() for b in self.blockers]}


def exception_blocks(severity: str) -> bool:
    """Whether an open exception of this severity blocks invoicing."""
    return severity in BLOCKING_SEVERITIES


def work_blocker(case_type: CaseType, status: str) -> Blocker | None:
    """The "work not finished" blocker, or None once the work is complete (or later)."""
    if is_work_complete_or_later(case_type, status):
        return None
    state = case_type.lifecycle.state(status)
    label = state.label if state else status
    return Blocker("work", f"The work is not finished yet (the case is {label}).")


def approval_blocker(approver: str, reason: str, rule: str | None) -> Blocker:
    """Planned (golden tests, previews) and stored (case page) approvals say the same."""
    return Blocker("approval", f"Waiting for approval by {approver_words(approver)}: {reason}",
                   rule)


def exception_blocker(code: str, severity: str, message: str, rule: str | None) -> Blocker:
    return Blocker("exception", f"{code} ({severity}): {message}", rule)


def data_blocker(message: str, connector_id: str) -> Blocker:
    return Blocker("data", f"{message} (needed by the {connector_id} export)")


def outcome_blockers(outcomes: Iterable[Outcome]) -> list[Blocker]:
    """The blockers that planned (or still open) outcomes amount to, in order."""
    found: list[Blocker] = []
    for o in outcomes:
        p = o.params
        if o.kind == "block_invoicing":
            found.append(Blocker("block", str(p["reason"]), o.rule))
        elif o.kind == "require_approval":
            found.append(approval_blocker(str(p["approver"]), str(p["reason"]), o.rule))
        elif o.kind == "raise_exception" and exception_blocks(p["severity"]):
            found.append(exception_blocker(p["code"], p["severity"], p["message"], o.rule))
        elif o.kind == ACTION_FAILED:
            found.append(Blocker(ACTION_FAILED, failure_message(o), o.rule))
    return found


def invoice_readiness(case_type: CaseType, status: str, outcomes: Sequence[Outcome], *,
                      extra: Iterable[Blocker] = ()) -> Readiness:
    """Ready iff the work is done and nothing blocks; every blocker is listed."""
    blockers: list[Blocker] = []
    work = work_blocker(case_type, status)
    if work is not None:
        blockers.append(work)
    blockers += outcome_blockers(outcomes)
    blockers += extra
    return Readiness(not blockers, tuple(blockers))
