"""Appending to the tamper-evident audit trail.

``hash = HMAC-SHA256(chain key, canonical JSON of the event's content + prev_hash)``;
the first event of a subject links to ``GENESIS``. The chain key is derived from
the instance secret key, which lives outside the database, so someone who can
write the database but not read that key cannot re-hash a chain after editing it.
Values must be JSON-native (money as strings) so that what is hashed is exactly
what is stored and read back. Each commit also moves the tenant's keyed head
(``services/audit_heads.py``), which is how deleted events show.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.platform.models import AuditEvent
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit_heads import GENESIS, track_for_head
from workorders.platform.services.audit_key import chain_key, mac

__all__ = ["GENESIS", "chain_key", "event_hash", "record_event"]

def event_content(event: AuditEvent) -> bytes:
    content = {
        "tenant_id": event.tenant_id, "subject_type": event.subject_type,
        "subject_id": event.subject_id, "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"), "actor": event.actor,
        "action": event.action, "before": event.before, "after": event.after,
        "comment": event.comment, "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return canonical.encode("utf-8")


def event_hash(event: AuditEvent, key: bytes) -> str:
    return mac(key, event_content(event))


def record_event(session: Session, *, tenant_id: int, subject_type: str, subject_id: int,
                 actor: str, action: str, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None, comment: str | None = None) -> AuditEvent:
    """Append one event to the subject's chain, inside the caller's transaction.

    The caller holds a lock on the subject (e.g. the case row), so reading the
    last event and appending cannot interleave with another writer; the unique
    ``(subject, seq)`` constraint is the backstop. The tenant's head moves when
    the transaction commits.
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
    event.hash = event_hash(event, chain_key())
    session.add(event)
    track_for_head(session, event)
    return event


def _json_native(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result
