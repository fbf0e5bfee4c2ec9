"""The one loop behind the queue's and the inbox's bulk forms.

Both pages tick rows, send each row's id with the version it showed, and want
the same thing done to every item through the same service as its row button.
Each item is its own transaction (the services open it), so one refusal never
undoes the others; the person gets one summary saying what was done and what
was left as it was, and why. Keeping that loop here means the two pages cannot
drift apart in how they treat a stale, closed, foreign or refused item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import flash, request

from workorders.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from workorders.platform.database import get_for_tenant

#: the most rows one bulk form may change: a page never shows more than this
MAX_BULK = 200

Item = TypeVar("Item")
Picked = list[tuple[int, int | None]]


@dataclass
class BulkOutcome:
    """What became of each ticked item, as the labels a person reads."""

    done: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    missing: int = 0

    @property
    def clean(self) -> bool:
        """Everything ticked was done: the summary is a success, not a report."""
        return bool(self.done) and not (self.stale or self.closed or self.refused
                                        or self.missing)

    def summary(self, verb: str) -> str:
        """One sentence per kind of outcome, e.g. "4 resolved. 1 had changed
        meanwhile and was left as is: X on WO-2026-0003."."""
        parts = [f"{len(self.done)} {verb}."]
        if self.stale:
            parts.append(f"{len(self.stale)} had changed meanwhile and "
                         f"{'was' if len(self.stale) == 1 else 'were'} left as is: "
                         f"{', '.join(self.stale)}.")
        if self.closed:
            parts.append(f"{len(self.closed)} {'was' if len(self.closed) == 1 else 'were'} "
                         f"already closed and left as is: {', '.join(self.closed)}.")
        if self.refused:
            parts.append("Not changed: " + "; ".join(self.refused) + ".")
        if self.missing:
            parts.append(f"{self.missing} could not be found in this workspace and "
                         "nothing was done to "
                         f"{'it' if self.missing == 1 else 'them'}.")
        return " ".join(parts)


def bulk_ids() -> Picked | None:
    """The ticked ids with the version each row showed (``version-<id>``); None
    when one is no id. A missing or garbled version means "whatever it is now"."""
    picked: Picked = []
    for raw in request.form.getlist("ids"):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            return None
        item_id = int(raw)
        version = request.form.get(f"version-{item_id}", "").strip()
        picked.append((item_id, int(version) if version.isdigit() else None))
    return list(dict.fromkeys(picked))


def picking_problem(picked: Picked | None, noun: str) -> str | None:
    """Why the ticked rows cannot be worked at all (``noun``: "exception",
    "approval"), or None when they can."""
    if picked is None:
        return f"Some of the ticked rows were not {noun}s: nothing was saved."
    if not picked:
        return f"Tick at least one {noun} first: nothing was saved."
    if len(picked) > MAX_BULK:
        return f"Tick at most {MAX_BULK} {noun}s at a time: nothing was saved."
    return None


def run_bulk(picked: Picked, model: type[Item], tenant_id: int, *,
             label: Callable[[Item], str], is_open: Callable[[Item], bool],
             act: Callable[[Item, int | None], object], forbidden: str) -> BulkOutcome:
    """Run ``act`` on each picked item of ``model`` in ``tenant_id`` with the
    version its row showed, item by item. Another workspace's item counts as
    missing; a closed one is left alone; a stale version, a closed-meanwhile
    conflict, invalid input or a refusal (``forbidden`` words it) are collected
    with the item's label instead of stopping the rest."""
    outcome = BulkOutcome()
    for item_id, version in picked:
        try:
            item = get_for_tenant(model, item_id, tenant_id)
        except NotFound:
            outcome.missing += 1
            continue
        name = label(item)
        if not is_open(item):
            outcome.closed.append(name)
            continue
        try:
            act(item, version)
        except PreconditionFailed:
            outcome.stale.append(name)
        except Conflict:
            outcome.closed.append(name)
        except ValidationFailed as err:
            details = "; ".join(str(e.get("message", "")) for e in err.errors) or err.message
            outcome.refused.append(f"{name} ({details})")
        except Forbidden:
            outcome.refused.append(f"{name} ({forbidden})")
        else:
            outcome.done.append(name)
    return outcome


def flash_summary(outcome: BulkOutcome, verb: str) -> None:
    """The one message a bulk form leaves: success when all went through, else
    information (what was done and what was left and why)."""
    flash(outcome.summary(verb), "success" if outcome.clean else "info")
