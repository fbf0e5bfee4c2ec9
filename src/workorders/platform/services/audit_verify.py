"""Checking the audit trail: every case's keyed chain, and every tenant's head.

What a clean result proves: no event was edited, re-hashed, reordered or deleted,
and no tenant's events were deleted in whole or in part, by anyone who does not
also hold the instance secret key. It cannot prove more than that: someone with
the key and write access to the database can forge a consistent trail, and a
restore of an older copy of both the events and the heads verifies too. It is
tamper evidence, not tamper prevention (see docs/cases.md, "Audit trail").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from workorders.platform.extensions import db
from workorders.platform.models import AuditEvent, AuditHead, Tenant
from workorders.platform.services.audit import GENESIS, chain_key, event_hash
from workorders.platform.services.audit_heads import head_mac


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: int
    subject_type: str
    subject_id: int
    seq: int
    event_id: int
    reason: str

    def describe(self) -> str:
        return (f"{self.subject_type} {self.subject_id} at event #{self.seq} "
                f"(id {self.event_id}): {self.reason}")


@dataclass(frozen=True)
class HeadBreak:
    tenant_id: int
    tenant: str
    reason: str

    def describe(self) -> str:
        return f"tenant {self.tenant}: {self.reason}"


Break = ChainBreak | HeadBreak


def verify_chains(tenant_id: int | None = None,
                  batch: int = 5000) -> tuple[int, list[Break]]:
    """Recompute every chain and check every head; answer (events checked, the
    first break of each subject, then each tenant whose head disagrees)."""
    key = chain_key()
    stmt = select(AuditEvent).order_by(
        AuditEvent.tenant_id, AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.seq)
    heads_stmt = select(AuditHead)
    if tenant_id is not None:
        stmt = stmt.where(AuditEvent.tenant_id == tenant_id)
        heads_stmt = heads_stmt.where(AuditHead.tenant_id == tenant_id)
    heads = {h.tenant_id: h for h in db.session.execute(heads_stmt).scalars()}
    breaks: list[Break] = []
    broken: set[tuple[int, str, int]] = set()
    prev: dict[tuple[int, str, int], AuditEvent] = {}
    stored: Counter[int] = Counter()
    newest_found: set[int] = set()
    for event in db.session.execute(stmt.execution_options(yield_per=batch)).scalars():
        stored[event.tenant_id] += 1
        head = heads.get(event.tenant_id)
        if head is not None and event.hash == head.last_hash:
            newest_found.add(event.tenant_id)
        subject = (event.tenant_id, event.subject_type, event.subject_id)
        if subject in broken:
            continue
        reason = _break_reason(prev.get(subject), event, key)
        if reason:
            broken.add(subject)
            breaks.append(ChainBreak(*subject, seq=event.seq, event_id=event.id, reason=reason))
        prev[subject] = event
    breaks.extend(_head_breaks(heads, stored, newest_found, key))
    return sum(stored.values()), breaks


def _break_reason(previous: AuditEvent | None, event: AuditEvent, key: bytes) -> str | None:
    expected_seq = previous.seq + 1 if previous else 1
    if event.seq != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {event.seq} (an event was removed)"
    expected_prev = previous.hash if previous else GENESIS
    if event.prev_hash != expected_prev:
        return "link to the previous event does not match (an earlier event was changed)"
    if event_hash(event, key) != event.hash:
        return ("content does not match its hash (this event was changed, or sealed with "
                "another instance secret key)")
    return None


def _head_breaks(heads: dict[int, AuditHead], stored: Counter[int], newest_found: set[int],
                 key: bytes) -> list[HeadBreak]:
    tenant_ids = sorted(set(heads) | set(stored))
    slugs = {row.id: row.slug for row in db.session.execute(
        select(Tenant.id, Tenant.slug).where(Tenant.id.in_(tenant_ids)))}
    breaks = []
    for tenant_id in tenant_ids:
        reason = _head_reason(heads.get(tenant_id), stored[tenant_id],
                              tenant_id in newest_found, tenant_id, key)
        if reason:
            breaks.append(HeadBreak(tenant_id, slugs.get(tenant_id, f"#{tenant_id}"), reason))
    return breaks


def _head_reason(head: AuditHead | None, stored: int, newest_found: bool, tenant_id: int,
                 key: bytes) -> str | None:
    if head is None:
        return (f"{stored} audit events but no head (the head row was deleted, or these "
                "events were written outside the app)")
    if head.mac != head_mac(key, tenant_id, head.count, head.last_hash):
        return ("the head does not match its MAC (it was edited, or the instance secret key "
                "changed)")
    if head.count != stored:
        return (f"the head counts {head.count} events but {stored} are stored (events were "
                "deleted, or added outside the app)")
    if stored and not newest_found:
        return "the newest event the head names is missing (it was replaced or deleted)"
    return None
