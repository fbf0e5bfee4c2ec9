"""Exports a connector's trigger creates (``on: "transition:invoice"``).

They are made inside the transition's transaction, so the case cannot be
invoiced without its export queued. A connector that cannot export the case
(not ready, data missing) does not undo the transition a person asked for:
everything that can refuse is checked before anything is written (a savepoint
would not do: its commit dispatches the outbox early), and a high-severity exception
tells a coordinator what to fix before exporting by hand (the exception also
blocks invoicing, so nothing slips through silently).

A correction after export re-issues by itself (``reissue_changed_invoices``): in
the correction's transaction, every connector that already invoiced the case gets
the credit note and the new invoice, through the same outbox. A correction that
left the case blocked re-issues when its last blocker closes (``reissue_when_ready``,
after an approval is decided or an exception resolved or overridden).
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from workorders.definitions.model import Connector
from workorders.errors import WorkordersError
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Case, CaseException, Export
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.exports import exports_for, invoices_of, preflight
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.unit_of_work import transaction

SYSTEM = "system"
REFUSED_CODE = "EXPORT_NOT_CREATED"
CORRECTION_TRIGGER = "correction"


def export_on_trigger(session: Session, loaded: LoadedCase, trigger: str) -> list[Export]:
    """Create the exports of every connector whose ``on`` is ``trigger``."""
    return _issue(session, loaded, [c for c in loaded.bundle.connectors if c.on == trigger],
                  trigger)


def reissue_changed_invoices(session: Session, loaded: LoadedCase) -> list[Export]:
    """Credit note and new invoice for every connector that already invoiced the case.

    Exactly once: ``exports_for`` answers the existing export while the document is
    unchanged, so a second identical correction or a replayed request adds nothing.
    A correction that leaves the case blocked (an approval it now needs) issues
    nothing yet: the delivered invoice stands until the case is ready again.
    """
    invoiced = [c for c in loaded.bundle.connectors if invoices_of(loaded.case.id, c.id)]
    if not invoiced or invoice_blockers(loaded):
        return []
    return _issue(session, loaded, invoiced, CORRECTION_TRIGGER)


def _issue(session: Session, loaded: LoadedCase, connectors: list[Connector],
           trigger: str) -> list[Export]:
    """Each connector's exports, or an exception saying why one could not be created."""
    created: list[Export] = []
    for connector in connectors:
        try:
            preflight(loaded, connector)
        except WorkordersError as exc:
            _refused(session, loaded, connector.id, trigger, exc.message)
            continue
        created += exports_for(session, loaded, connector, SYSTEM)
    return created


def reissue_when_ready(tenant_id: int, case_id: int) -> list[Export]:
    """A blocker of the case closed: what a correction held back goes out now, in a
    transaction of its own that locks the case as every export does (the decision
    that closed the blocker has committed; it never waits on the case lock)."""
    with transaction() as session:
        case = get_for_tenant(Case, case_id, tenant_id, lock=True)
        bundle = bundle_of(case.definition)
        case_type = bundle.case_type(case.case_type)
        if case_type is None:
            return []
        return reissue_changed_invoices(session, LoadedCase(case, bundle, case_type))


def _refused(session: Session, loaded: LoadedCase, connector_id: str, trigger: str,
             reason: str) -> None:
    case = loaded.case
    message = f"The {connector_id} export was not created on {trigger}: {reason}"
    session.add(CaseException(
        tenant_id=case.tenant_id, case_id=case.id, rule_id=None, code=REFUSED_CODE,
        severity="high", message=message[:4000], trigger=trigger,
        scope=f"export:{connector_id}", trace=[],
        fingerprint=hashlib.sha256(message.encode()).hexdigest()))
    record_event(session, tenant_id=case.tenant_id, subject_type="case", subject_id=case.id,
                 actor=SYSTEM, action="export:refused",
                 after={"connector": connector_id, "trigger": trigger}, comment=message[:500])
