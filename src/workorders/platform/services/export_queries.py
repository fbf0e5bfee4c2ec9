"""Reading exports for the API and the pages: lists, one export with its attempts,
a case's export history. Tenant-scoped like every lookup (a foreign id is 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import Case, Export, ExportAttempt, ExportStatus, OutboxJob

STATUSES = tuple(s.value for s in ExportStatus)


@dataclass(frozen=True)
class ExportFilters:
    status: str | None = None
    connector: str | None = None
    case_id: int | None = None


def tenant_exports(tenant_id: int, filters: ExportFilters) -> Select[Export]:
    """The one query behind the exports list and reconciliation, so both count the
    same exports in the same statuses."""
    stmt = select(Export).where(Export.tenant_id == tenant_id)
    if filters.status:
        stmt = stmt.where(Export.status == filters.status)
    if filters.connector:
        stmt = stmt.where(Export.connector_id == filters.connector)
    if filters.case_id is not None:
        stmt = stmt.where(Export.case_id == filters.case_id)
    return stmt


def list_exports(actor: Actor, filters: ExportFilters, limit: int,
                 after: int | None) -> list[Export]:
    """Newest first; ``after`` is the last id of the previous page."""
    stmt = tenant_exports(actor.tenant_id, filters)
    if after is not None:
        stmt = stmt.where(Export.id < after)
    return list(db.session.execute(stmt.order_by(Export.id.desc()).limit(limit)).scalars())


def get_export(actor: Actor, export_id: int) -> Export:
    return get_for_tenant(Export, export_id, actor.tenant_id)


def attempts_of(export_id: int) -> list[ExportAttempt]:
    return list(db.session.execute(select(ExportAttempt).where(
        ExportAttempt.export_id == export_id).order_by(ExportAttempt.id)).scalars())


def next_attempt_at(export: Export) -> Any:
    """When the outbox runs the export's job next (the job row is the truth)."""
    if export.job_id is None or export.status not in ("pending", "failed"):
        return None
    job = db.session.get(OutboxJob, export.job_id)
    return job.run_after if job is not None and job.status in ("pending", "failed") else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def attempt_view(a: ExportAttempt) -> dict[str, Any]:
    return {"at": a.at.isoformat(), "ok": a.ok, "status_code": a.status_code,
            "error": a.error, "duration_ms": a.duration_ms}


def _credit_links(export: Export) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    credited = credited_by = None
    if export.credited_export_id is not None:
        other = db.session.get(Export, export.credited_export_id)
        credited = {"id": other.id, "number": other.invoice_number} if other else None
    else:
        note = db.session.execute(select(Export).where(
            Export.credited_export_id == export.id)).scalars().first()
        credited_by = {"id": note.id, "number": note.invoice_number} if note else None
    return credited, credited_by


def export_view(export: Export, *, attempts: bool = True) -> dict[str, Any]:
    case = db.session.get(Case, export.case_id)
    credited, credited_by = _credit_links(export)
    view: dict[str, Any] = {
        "id": export.id, "case_id": export.case_id,
        "case_number": case.number if case else None, "connector": export.connector_id,
        "format": export.format, "kind": export.kind, "revision": export.revision,
        "invoice_number": export.invoice_number, "status": export.status,
        "idempotency_key": export.idempotency_key, "credited": credited,
        "credited_by": credited_by, "net_amount": str(export.document["totals"]["net"]),
        "currency": export.currency, "content_type": export.content_type,
        "filename": export.filename, "last_error": export.last_error,
        "created_at": export.created_at.isoformat(), "created_by": export.created_by,
        "delivered_at": _iso(export.delivered_at),
        "next_attempt_at": _iso(next_attempt_at(export)),
    }
    if attempts:
        view["attempts"] = [attempt_view(a) for a in attempts_of(export.id)]
    return view
