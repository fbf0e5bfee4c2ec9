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

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workorders.platform.listeners import Listeners
from workorders.platform.models import AuditEvent
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit_heads import GENESIS, track_for_head
from workorders.platform.services.audit_key import chain_key, mac

__all__ = ["GENESIS", "chain_key", "event_hash", "record_event"]
_ENDS = "workorders.audit.chain_ends"
#: built once (every change reads its subject's chain end): the last event's seq and hash
_CHAIN_END = (select(AuditEvent.seq, AuditEvent.hash)
              .where(AuditEvent.tenant_id == bindparam("tenant_id"),
                     AuditEvent.subject_type == bindparam("subject_type"),
                     AuditEvent.subject_id == bindparam("subject_id"))
              .order_by(AuditEvent.seq.desc()).limit(1))

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
                 after: dict[str, Any] | None = None, comment: str | None = None,
                 first: bool = False) -> AuditEvent:
    """Append one event to the subject's chain, inside the caller's transaction.

    The caller holds a lock on the subject (e.g. the case row), so reading the
    last event and appending cannot interleave with another writer; the unique
    ``(subject, seq)`` constraint is the backstop. ``first``: the subject was
    inserted by this transaction, so it has no events yet. The chain's end is
    remembered until the transaction ends, so a second event on the subject
    reads nothing. The events are inserted together when the transaction commits,
    with the tenant's head (or earlier, when the transaction reads audit events).
    """
    _HOOKS.install()
    ends: dict[tuple[int, str, int], tuple[int, str]] = session.info.setdefault(_ENDS, {})
    subject = (tenant_id, subject_type, subject_id)
    if first:
        end: tuple[int, str] | None = None
    elif subject in ends:
        end = ends[subject]
    else:
        # Core: a subject not in ``ends`` has no event pending in this transaction
        row = session.connection().execute(_CHAIN_END, {
            "tenant_id": tenant_id, "subject_type": subject_type,
            "subject_id": subject_id}).one_or_none()
        end = (row[0], row[1]) if row is not None else None
    event = AuditEvent(
        tenant_id=tenant_id, subject_type=subject_type, subject_id=subject_id,
        seq=end[0] + 1 if end else 1, at=utcnow(), actor=actor, action=action,
        before=_json_native(before), after=_json_native(after), comment=comment,
        prev_hash=end[1] if end else GENESIS)
    event.hash = event_hash(event, chain_key())
    ends[subject] = (event.seq, event.hash)
    track_for_head(session, event)  # written with the head at commit: one INSERT for all
    return event


def _forget_ends(session: Session, *_args: Any) -> None:
    session.info.pop(_ENDS, None)


_HOOKS = Listeners(Session, ("after_commit", _forget_ends),
                   ("after_soft_rollback", _forget_ends))


def _json_native(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result
