"""Appending to and verifying the tamper-evident audit trail.

``hash = sha256(canonical JSON of the event's content + prev_hash)``; the first
event of a subject links to ``GENESIS``. Values must be JSON-native (money as
strings) so that what is hashed is exactly what is stored and read back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workorders.platform.extensions import db
from workorders.platform.models import AuditEvent
from workorders.platform.models.types import utcnow

GENESIS = "0" * 64


def event_hash(event: AuditEvent) -> str:
    content = {
        "tenant_id": event.tenant_id, "subject_type": event.subject_type,
        "subject_id": event.subject_id, "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"), "actor": event.actor,
        "action": event.action, "before": event.before, "after": event.after,
        "comment": event.comment, "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_event(session: Session, *, tenant_id: int, subject_type: str, subject_id: int,
                 actor: str, action: str, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None, comment: str | None = None) -> AuditEvent:
    """Append one event to the subject's chain, inside the caller's transaction.

    The caller holds a lock on the subject (e.g. the case row), so reading the
    last event and appending cannot interleave with another writer; the unique
    ``(subject, seq)`` constraint is the backstop.
    """
    last = session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                 AuditEvent.subject_type == subject_type,
                                 AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()
    event = AuditEvent(
        tenant_id=tenant_id, subject_type=subject_type, subject_id=subject_id,
        seq=(last.seq + 1) if last else 1, at=utcnow(), actor=actor, action=action,
        before=_json_native(before), after=_json_native(after), comment=comment,
        prev_hash=last.hash if last else GENESIS)
    event.hash = event_hash(event)
    session.add(event)
    return event


def _json_native(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: int
    subject_type: str
    subject_id: int
    seq: int
    event_id: int
    reason: str


def verify_chains(tenant_id: int | None = None, batch: int = 5000) -> tuple[int, list[ChainBreak]]:
    """Recompute every chain; answer (events checked, first break of each subject)."""
    stmt = select(AuditEvent).order_by(
        AuditEvent.tenant_id, AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.seq)
    if tenant_id is not None:
        stmt = stmt.where(AuditEvent.tenant_id == tenant_id)
    breaks: list[ChainBreak] = []
    broken: set[tuple[int, str, int]] = set()
    prev: dict[tuple[int, str, int], AuditEvent] = {}
    checked = 0
    for event in db.session.execute(stmt.execution_options(yield_per=batch)).scalars():
        checked += 1
        key = (event.tenant_id, event.subject_type, event.subject_id)
        if key in broken:
            continue
        reason = _break_reason(prev.get(key), event)
        if reason:
            broken.add(key)
            breaks.append(ChainBreak(*key, seq=event.seq, event_id=event.id, reason=reason))
        prev[key] = event
    return checked, breaks


def _break_reason(previous: AuditEvent | None, event: AuditEvent) -> str | None:
    expected_seq = previous.seq + 1 if previous else 1
    if event.seq != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {event.seq} (an event was removed)"
    expected_prev = previous.hash if previous else GENESIS
    if event.prev_hash != expected_prev:
        return "link to the previous event does not match (an earlier event was changed)"
    if event_hash(event) != event.hash:
        return "content does not match its hash (this event was changed)"
    return None


def count_events(tenant_id: int) -> int:
    return int(db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.tenant_id == tenant_id)).scalar_one())
