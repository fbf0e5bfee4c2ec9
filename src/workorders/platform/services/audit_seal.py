"""Sealing audit chains written before the chain key existed (migration 0011).

A migration cannot know the instance secret key, so ``workorders init`` does this
once, in the run that applies revision 0011: each case's chain is checked under
the old unkeyed SHA-256 rule and re-hashed with the key up to its first break,
and the tenant's head is written. A chain that was already broken stays broken
at the same event (sealing must not launder an edit), and is logged. Later runs
never seal again: otherwise someone with database access could write unkeyed
events, delete the head, and wait for the next ``init`` to bless them.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.platform.models import AuditEvent, AuditHead, Tenant
from workorders.platform.services.audit import event_content, event_hash
from workorders.platform.services.audit_heads import GENESIS, locked_head, set_head

log = logging.getLogger("workorders.audit")
#: the revision that introduced keyed chains and heads
HEADS_REVISION = "0011"


@dataclass
class Sealed:
    tenant: str
    events: int = 0
    sealed: int = 0
    broken: list[str] = field(default_factory=list)


def predates_heads(revision: str | None) -> bool:
    """Whether a database at ``revision`` holds chains written without the key."""
    return revision is not None and revision < HEADS_REVISION


def seal_legacy_chains(session: Session, key: bytes) -> list[Sealed]:
    """Seal every tenant that has events but no head; log and answer what was done."""
    headless = session.execute(
        select(Tenant).where(Tenant.id.in_(select(AuditEvent.tenant_id).distinct()),
                             Tenant.id.not_in(select(AuditHead.tenant_id)))
        .order_by(Tenant.id)).scalars().all()
    results = [_seal_tenant(session, tenant, key) for tenant in headless]
    for result in results:
        log.warning("sealed %d of %d audit events of tenant %s with the instance key%s",
                    result.sealed, result.events, result.tenant,
                    "; " + "; ".join(result.broken) if result.broken else "")
    return results


def _seal_tenant(session: Session, tenant: Tenant, key: bytes) -> Sealed:
    result = Sealed(tenant.slug)
    events = session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)
                             .order_by(AuditEvent.subject_type, AuditEvent.subject_id,
                                       AuditEvent.seq)).scalars().all()
    for (subject_type, subject_id), chain in groupby(
            events, key=lambda e: (e.subject_type, e.subject_id)):
        sealed, broken_at = _seal_chain(list(chain), key)
        result.sealed += sealed
        if broken_at is not None:
            result.broken.append(f"{subject_type} {subject_id} was already broken at event "
                                 f"#{broken_at} and is left as found")
    result.events = len(events)
    newest = max(events, key=lambda e: e.id)
    set_head(locked_head(session, tenant.id, key), key, len(events), newest.hash)
    return result


def _seal_chain(chain: list[AuditEvent], key: bytes) -> tuple[int, int | None]:
    """Re-hash ``chain`` with the key up to its first unkeyed break; answer (events
    sealed, the seq of that break or None)."""
    old_prev = new_prev = GENESIS
    for count, event in enumerate(chain):
        intact = (event.seq == count + 1 and event.prev_hash == old_prev
                  and hashlib.sha256(event_content(event)).hexdigest() == event.hash)
        if not intact:
            return count, event.seq
        old_prev = event.hash
        event.prev_hash = new_prev
        event.hash = new_prev = event_hash(event, key)
    return len(chain), None
