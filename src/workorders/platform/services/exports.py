"""Creating exports: a case's invoice (and, after a correction, a credit note plus a
new invoice) for one connector, queued for delivery in the same transaction.

Rules that keep money from leaking or doubling:

* only invoice-ready cases are exported (409 with every blocker otherwise);
* one export per case, connector, kind and revision: asking again while the
  document is unchanged answers the existing export;
* a changed document after an invoice never re-sends under the old number or
  key: the exported invoice is credited exactly as it was sent, and a new invoice
  (revision + 1) carries today's lines;
* invoice numbers move in the export's own transaction (gap-free), and the
  delivery job is written beside the export (the outbox), so a rolled-back
  export leaves neither a number nor a job behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workorders.connectors import (
    ConnectorError,
    InvoiceDocument,
    Payload,
    from_json_dict,
    render_payload,
    to_json_dict,
)
from workorders.connectors.transports import export_filename
from workorders.definitions.model import Connector
from workorders.errors import Conflict, NotFound
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.jobs.outbox import enqueue_job
from workorders.platform.models import Export, ExportKind, ExportStatus, InvoiceCounter
from workorders.platform.models.types import utcnow
from workorders.platform.permissions import Action, allowed_roles
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.invoice_document import (
    case_lines,
    credit_note_for,
    invoice_document,
    template_context,
)
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.unit_of_work import transaction

JOB_KIND = "export.deliver"
VOLATILE = ("number", "issue_date", "due_date", "credited_number", "credited_issue_date")
EXPORTERS = allowed_roles(Action.EXPORT_INVOICES)


class NotReady(Conflict):
    """409 naming every blocker, as the case page shows them."""

    def __init__(self, number: str, blockers: list[dict[str, Any]]) -> None:
        super().__init__(f"case {number} is not ready for invoicing: "
                         + "; ".join(b["reason"] for b in blockers))
        self.extra = {"blockers": blockers}


def content_hash(doc: InvoiceDocument) -> str:
    """What the receiver would book, without the number and dates a re-issue changes,
    nor the lines' provenance: a correction that repeats the same data points at a
    new submission revision but bills the same, so it must not be re-invoiced."""
    data = {k: v for k, v in to_json_dict(doc).items() if k not in VOLATILE}
    data["lines"] = [{k: v for k, v in line.items() if k != "source"}
                     for line in data.get("lines", [])]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def next_invoice_number(session: Session, tenant_id: int, prefix: str, start: int) -> str:
    """Gap-free per tenant and series: the counter row stays locked until commit."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(InvoiceCounter).values(tenant_id=tenant_id, prefix=prefix,
                                                  last=start - 1).on_conflict_do_nothing())
    counter = session.execute(select(InvoiceCounter).where(
        InvoiceCounter.tenant_id == tenant_id, InvoiceCounter.prefix == prefix)
        .with_for_update()).scalar_one()
    counter.last += 1
    return f"{prefix}{counter.last}"


def connector_of(loaded: LoadedCase, connector_id: str) -> Connector:
    connector = loaded.bundle.connector(connector_id)
    if connector is None:
        known = ", ".join(c.id for c in loaded.bundle.connectors) or "none"
        raise NotFound(f"connector '{connector_id}' is not defined for case "
                       f"{loaded.case.number} (defined: {known})")
    return connector


def invoices_of(case_id: int, connector_id: str) -> list[Export]:
    return list(db.session.execute(select(Export).where(
        Export.case_id == case_id, Export.connector_id == connector_id,
        Export.kind == ExportKind.INVOICE.value).order_by(Export.revision.desc())).scalars())


def _store(session: Session, loaded: LoadedCase, connector: Connector, doc: InvoiceDocument,
           revision: int, by: str, credited: Export | None = None) -> Export:
    payload = _render(loaded, connector, doc)
    case = loaded.case
    export = Export(
        tenant_id=case.tenant_id, case_id=case.id, connector_id=connector.id,
        format=connector.format, kind=doc.kind, revision=revision, invoice_number=doc.number,
        credited_export_id=credited.id if credited else None,
        status=ExportStatus.PENDING.value, document=to_json_dict(doc),
        content_hash=content_hash(doc), payload=payload.body,
        content_type=payload.content_type,
        filename=export_filename(case.number, revision, doc.kind, payload.filename_ext),
        idempotency_key=f"wo-exp-{uuid.uuid4().hex}", currency=doc.currency,
        net_amount=doc.totals.net, created_by=by, created_at=utcnow())
    session.add(export)
    session.flush()
    job = enqueue_job(JOB_KIND, {"export_id": export.id}, tenant_id=case.tenant_id,
                      dedupe_key=f"export-{export.id}-0",
                      max_attempts=connector.transport.max_attempts)
    export.job_id = job.id
    record_event(session, tenant_id=case.tenant_id, subject_type="case", subject_id=case.id,
                 actor=by, action=f"export:{doc.kind}",
                 after={"export": export.id, "connector": connector.id,
                        "number": doc.number, "revision": revision,
                        "net": str(doc.totals.net)})
    return export


def _number(session: Session, loaded: LoadedCase) -> str:
    series = loaded.bundle.seller.invoice_series  # type: ignore[union-attr]
    return next_invoice_number(session, loaded.case.tenant_id, series.prefix, series.start)


def _draft(loaded: LoadedCase, connector: Connector) -> tuple[InvoiceDocument, Export | None]:
    """Today's document (no number yet) and the latest invoice to this connector;
    raises when the case may not be exported now."""
    blockers = invoice_blockers(loaded)
    if blockers:
        raise NotReady(loaded.case.number, [b.to_dict() for b in blockers])
    draft = invoice_document(loaded, number="", issue_date=utcnow().date(),
                             billed=case_lines(loaded))
    previous = invoices_of(loaded.case.id, connector.id)
    latest = previous[0] if previous else None
    if latest is not None and latest.content_hash != content_hash(draft) \
            and latest.status == ExportStatus.DEAD.value:
        raise Conflict(f"invoice {latest.invoice_number} was never delivered (dead): "
                       "retry it first, so the credit note has an invoice to credit")
    return draft, latest


def _render(loaded: LoadedCase, connector: Connector, doc: InvoiceDocument) -> Payload:
    try:
        return render_payload(connector.format, doc, connector.options,
                              template_context(loaded))
    except ConnectorError as exc:  # MissingData, OptionError, EncodingProblem...
        raise Conflict(f"the {connector.id} export cannot be made: {exc.message}") from exc


def preflight(loaded: LoadedCase, connector: Connector) -> None:
    """Everything that can refuse an export, checked without writing anything."""
    draft, _latest = _draft(loaded, connector)
    _render(loaded, connector, dataclasses.replace(draft, number="PREFLIGHT"))


def exports_for(session: Session, loaded: LoadedCase, connector: Connector,
                by: str) -> list[Export]:
    """The case's current exports for ``connector``: existing when nothing changed,
    else new ones (the invoice; or the credit note and the new invoice)."""
    draft, latest = _draft(loaded, connector)
    if latest is not None and latest.content_hash == content_hash(draft):
        return [latest]
    today = draft.issue_date
    created: list[Export] = []
    if latest is not None:
        credit = credit_note_for(from_json_dict(latest.document),
                                 number=_number(session, loaded), issue_date=today)
        created.append(_store(session, loaded, connector, credit, latest.revision, by, latest))
    revision = latest.revision + 1 if latest else 1
    doc = dataclasses.replace(draft, number=_number(session, loaded))
    created.append(_store(session, loaded, connector, doc, revision, by))
    return created


def export_case(actor: Actor, case_id: int, connector_id: str) -> list[Export]:
    """One transaction: lock the case, make (or find) its exports, queue them."""
    if not actor.has_any(*EXPORTERS):
        from workorders.errors import Forbidden

        raise Forbidden("exporting invoices needs the coordinator or admin role")
    with transaction() as session:
        loaded = load_case(actor, case_id, lock=True)
        return exports_for(session, loaded, connector_of(loaded, connector_id), actor.email)



RETRYABLE = (ExportStatus.FAILED.value, ExportStatus.DEAD.value)


def retry_export(actor: Actor, export_id: int) -> Export:
    """Queue a failed or dead export again as a new outbox job (same bytes, same key).

    A failed export's pending retry is retired first, so two jobs never race to
    deliver it; a running attempt is left alone (409).
    """
    from workorders.errors import Forbidden
    from workorders.platform.database import get_for_tenant
    from workorders.platform.models import OutboxJob

    if not actor.has_any(*EXPORTERS):
        raise Forbidden("retrying exports needs the coordinator or admin role")
    with transaction() as session:
        export = get_for_tenant(Export, export_id, actor.tenant_id)
        load_case(actor, export.case_id, lock=True)  # the audit chain's writer lock
        session.refresh(export, with_for_update=True)
        if export.status not in RETRYABLE:
            raise Conflict(f"export {export.id} is {export.status}; only failed or dead "
                           "exports are retried")
        old = session.get(OutboxJob, export.job_id) if export.job_id else None
        if old is not None and old.status == "running":
            raise Conflict(f"export {export.id} is being delivered right now")
        if old is not None and old.status in ("pending", "failed"):
            old.status, old.last_error = "dead", "superseded by a retry from a person"
        export.retries += 1
        job = enqueue_job(JOB_KIND, {"export_id": export.id}, tenant_id=export.tenant_id,
                          dedupe_key=f"export-{export.id}-{export.retries}",
                          max_attempts=old.max_attempts if old else 8)
        export.job_id, export.status, export.version = (
            job.id, ExportStatus.PENDING.value, export.version + 1)
        record_event(session, tenant_id=export.tenant_id, subject_type="case",
                     subject_id=export.case_id, actor=actor.email, action="export:retried",
                     after={"export": export.id, "number": export.invoice_number})
    return export
