"""Delivering one export: one attempt per outbox run, every attempt recorded.

The outbox job owns retries (backoff with jitter, ``dead`` after the
transport's ``max_attempts``); this module sends the stored bytes once, records
the attempt, mirrors the outcome on the export, and raises when the attempt
failed so the outbox schedules the next one. No database transaction is held
open while the network call runs (SQLite writers would queue behind it).

Exactly once at the receiver: every attempt of an export carries the same
``Idempotency-Key``, so a resend after a crash (the worker died after the
receiver got the body, before the outcome was recorded) is recognisable there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from workorders.connectors.transports import (
    DeliveryResult,
    OutboundPolicy,
    deliver_file,
    deliver_http,
)
from workorders.definitions.model import Connector
from workorders.platform.config import settings_of
from workorders.platform.database import begin_write
from workorders.platform.extensions import db
from workorders.platform.jobs.registry import JobContext, PermanentJobError
from workorders.platform.models import (
    Case,
    Export,
    ExportAttempt,
    ExportStatus,
    OutboxJob,
    Tenant,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.tenant_secrets import SecretUnavailable, open_secret


class DeliveryFailed(Exception):
    """This attempt failed and another may succeed: the outbox retries it."""


@dataclass(frozen=True)
class Parcel:
    """What one attempt sends, read before the network call."""

    body: bytes
    content_type: str
    key: str
    event: str
    filename: str
    tenant_slug: str
    connector: Connector
    #: the signing secret, opened from the export's own tenant only
    secret: str | None = field(default=None, repr=False)
    #: why the connector's secret could not be opened (the attempt then fails)
    secret_problem: str | None = None


def _parcel(export: Export) -> Parcel:
    case = db.session.get(Case, export.case_id)
    tenant = db.session.get(Tenant, export.tenant_id)
    connector = bundle_of(case.definition).connector(export.connector_id) if case else None
    if case is None or tenant is None or connector is None:
        raise PermanentJobError(f"export {export.id}: its case or connector is gone")
    secret, problem = None, None
    if connector.transport.type == "http" and connector.transport.secret:
        try:
            secret = open_secret(export.tenant_id, connector.transport.secret,
                                 f"the {connector.id} connector")
        except SecretUnavailable as exc:
            problem = str(exc)
    return Parcel(bytes(export.payload), export.content_type, export.idempotency_key,
                  f"export.{export.kind}", export.filename, tenant.slug, connector,
                  secret, problem)


def _send(app: Flask, parcel: Parcel) -> DeliveryResult:
    settings = settings_of(app)
    transport = parcel.connector.transport
    if transport.type == "file":
        return deliver_file(settings.exports_dir / parcel.tenant_slug,
                            transport.directory or "", parcel.filename, parcel.body)
    if parcel.secret_problem:
        return DeliveryResult(False, None, parcel.secret_problem, 0, None, retryable=False)
    return deliver_http(transport.url or "", parcel.body, content_type=parcel.content_type,
                        idempotency_key=parcel.key, event=parcel.event, secret=parcel.secret,
                        timeout_s=transport.timeout_s,
                        policy=OutboundPolicy.parse(list(settings.outbound_allow)))


def _waiting_for(export: Export) -> str | None:
    """A credit note goes out only after the invoice it credits was delivered."""
    if export.credited_export_id is None:
        return None
    credited = db.session.get(Export, export.credited_export_id)
    if credited is not None and credited.status != ExportStatus.DELIVERED.value:
        return (f"waiting for invoice {credited.invoice_number} to be delivered first "
                f"(it is {credited.status})")
    return None


def _record(export_id: int, result: DeliveryResult, final: bool) -> None:
    begin_write(db.session())
    export = db.session.execute(select(Export).where(Export.id == export_id)
                                .with_for_update()).scalar_one()
    db.session.add(ExportAttempt(
        tenant_id=export.tenant_id, export_id=export.id, at=utcnow(), ok=result.ok,
        status_code=result.status_code, error=result.error, duration_ms=result.duration_ms,
        response_excerpt=result.response_excerpt))
    if result.ok:
        export.status, export.delivered_at, export.last_error = (
            ExportStatus.DELIVERED.value, utcnow(), None)
    else:
        export.status = (ExportStatus.DEAD if final else ExportStatus.FAILED).value
        export.last_error = result.error
    export.version += 1
    db.session.commit()


def deliver_export(ctx: JobContext) -> None:
    """The ``export.deliver`` job: send once, record, raise on failure."""
    export = db.session.get(Export, ctx.payload["export_id"])
    if export is None or export.tenant_id != ctx.tenant_id:
        raise PermanentJobError(f"export {ctx.payload['export_id']} is gone")
    if export.status == ExportStatus.DELIVERED.value or export.job_id != ctx.job_id:
        return  # delivered already, or a person re-queued it as another job
    job = db.session.get(OutboxJob, ctx.job_id)
    last_try = job is None or ctx.attempt >= job.max_attempts
    export_id, waiting = export.id, _waiting_for(export)
    parcel = _parcel(export)
    begin_write(db.session())
    db.session.execute(select(Export.id).where(Export.id == export_id).with_for_update())
    db.session.get(Export, export_id).status = ExportStatus.DELIVERING.value  # type: ignore[union-attr]
    db.session.commit()  # nothing stays open during the network call
    if waiting:
        result = DeliveryResult(False, None, f"not sent: {waiting}", 0)
    else:
        result = _send(ctx.app, parcel)
    _record(export_id, result, final=last_try or not result.retryable)
    if result.ok:
        return
    message = f"{parcel.connector.id}: {result.error or result.status_code}"
    if not result.retryable:
        raise PermanentJobError(message)
    raise DeliveryFailed(message)
