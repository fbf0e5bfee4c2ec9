"""Invoicing and exports over HTTP: queue exports, follow their delivery, retry,
read the exact bytes sent, the case's invoice preview, and reconciliation."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from workorders.connectors import ConnectorError, to_json_dict
from workorders.errors import Conflict, NotFound
from workorders.platform.api import api
from workorders.platform.api.docs import ANY_BYTES, operation
from workorders.platform.api.idempotency import idempotent
from workorders.platform.api.inputs import ID_SCHEMA, encode_cursor, json_body, page, page_args
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.problems import ApiProblem
from workorders.platform.services import export_queries as queries
from workorders.platform.services import exports as svc
from workorders.platform.services.case_context import load_case
from workorders.platform.services.definitions import bundle_of, current_version
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.reconciliation import reconcile

EXPORT_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["connector", "case_ids"],
    "properties": {
        "connector": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        "case_ids": {"type": "array", "minItems": 1, "maxItems": 500, "uniqueItems": True,
                     "items": ID_SCHEMA}}}
EXPORT_FILTERS: dict[str, dict[str, Any]] = {
    "status": {"type": "string", "enum": list(queries.STATUSES)},
    "connector": {"type": "string"}, "case_id": ID_SCHEMA,
    "limit": {"type": "integer", "minimum": 1, "maximum": 500}, "cursor": {"type": "string"}}


def _known_connector(connector: str) -> None:
    version = current_version(current_actor().tenant_id)
    known = [c.id for c in bundle_of(version).connectors] if version else []
    if connector not in known:
        raise ApiProblem(422, "Invalid data", f"unknown connector '{connector}'", errors=[{
            "path": "/connector",
            "message": f"'{connector}' is not one of: {', '.join(known) or 'no connectors'}"}])


def _failure(case_id: int, exc: NotFound | Conflict) -> dict[str, Any]:
    return {"case_id": case_id, "status": 404 if isinstance(exc, NotFound) else 409,
            "detail": exc.message, **getattr(exc, "extra", {})}


@api.post("/exports")
@idempotent
@operation("Queue exports of invoice-ready cases to a connector", body=EXPORT_SCHEMA,
           responses={202: "{items:[{id, case_id, status, kind, invoice_number}], errors:[...]}",
                      404: "No case found", 409: "No case could be exported: {errors}",
                      422: "Unknown connector"},
           description="Each case is exported in its own transaction; a case that is not "
                       "ready (409, with its blockers) or not found (404) is listed in "
                       "`errors` and does not stop the others. Asking again for an "
                       "unchanged case answers its existing export.")
def create_exports() -> Any:
    body = json_body(EXPORT_SCHEMA)
    _known_connector(body["connector"])
    actor = current_actor()
    items: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for case_id in body["case_ids"]:
        try:
            exports = svc.export_case(actor, case_id, body["connector"])
        except (NotFound, Conflict) as exc:
            errors.append(_failure(case_id, exc))
            continue
        items += [{"id": e.id, "case_id": e.case_id, "status": e.status, "kind": e.kind,
                   "invoice_number": e.invoice_number, "revision": e.revision}
                  for e in exports]
    if not items:
        status = 404 if all(e["status"] == 404 for e in errors) else 409
        raise ApiProblem(status, "Not found" if status == 404 else "Conflict",
                         "no case could be exported: " + "; ".join(
                             f"{e['case_id']}: {e['detail']}" for e in errors), errors=errors)
    resp = jsonify(items=items, errors=errors)
    resp.status_code = 202
    return resp


@api.get("/exports")
@require(Action.READ_INVOICES)
@operation("Exports, newest first", query=EXPORT_FILTERS)
def list_exports() -> Any:
    limit, after = page_args()
    status = request.args.get("status")
    if status is not None and status not in queries.STATUSES:
        raise ApiProblem(422, "Invalid data", "unknown status", errors=[{
            "path": "/status", "message": f"use one of {', '.join(queries.STATUSES)}"}])
    case_id = request.args.get("case_id", type=int)
    filters = queries.ExportFilters(status=status, connector=request.args.get("connector"),
                                    case_id=case_id)
    rows = queries.list_exports(current_actor(), filters, limit + 1, after)
    return jsonify(page(rows, limit, lambda e: queries.export_view(e, attempts=False)))


@api.get("/exports/<int:export_id>")
@require(Action.READ_INVOICES)
@operation("One export with every delivery attempt")
def get_export(export_id: int) -> Any:
    return jsonify(queries.export_view(queries.get_export(current_actor(), export_id)))


@api.get("/exports/<int:export_id>/payload")
@require(Action.READ_INVOICES)
@operation("The exact bytes delivered, with their content type", produces=ANY_BYTES)
def export_payload(export_id: int) -> Any:
    export = queries.get_export(current_actor(), export_id)
    resp = Response(bytes(export.payload), mimetype=None)
    resp.headers["Content-Type"] = export.content_type
    resp.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return resp


@api.post("/exports/<int:export_id>/retry")
@operation("Queue a failed or dead export again (same bytes, same Idempotency-Key)",
           responses={202: "The export", 409: "Not failed or dead"})
def retry_export(export_id: int) -> Any:
    export = svc.retry_export(current_actor(), export_id)
    resp = jsonify(queries.export_view(export))
    resp.status_code = 202
    return resp


@api.get("/cases/<int:case_id>/invoice")
@require(Action.READ_INVOICES)
@operation("The case's invoice readiness and invoice-ready document as it would be "
           "exported now (without a number: that is assigned on export)")
def case_invoice(case_id: int) -> Any:
    from workorders.platform.models.types import utcnow
    from workorders.platform.services.invoice_document import invoice_document

    loaded = load_case(current_actor(), case_id)
    blockers = [b.to_dict() for b in invoice_blockers(loaded)]
    document: dict[str, Any] | None
    try:
        document = {**to_json_dict(invoice_document(loaded, number="",
                                                    issue_date=utcnow().date())),
                    "number": None}
    except (Conflict, ConnectorError) as exc:
        document = None
        blockers.append({"kind": "data", "rule": None, "reason": exc.message})
    return jsonify(ready=not blockers, blockers=blockers, document=document)


@api.get("/reconciliation")
@require(Action.RECONCILE)
@operation("Per case and connector: captured billable net, delivered invoice net, delivered "
           "credit-note net, their difference (must be 0.00) and every export not delivered "
           "yet (pending, delivering, failed or dead, with its amount); `reconciled` is true "
           "only when the difference is 0.00 and nothing is undelivered",
           query={"limit": {"type": "integer", "minimum": 1, "maximum": 500},
                  "cursor": {"type": "string"}})
def reconciliation() -> Any:
    limit, after = page_args()
    rows, last = reconcile(current_actor().tenant_id, limit=limit, after=after)
    return jsonify(items=[r.to_dict() for r in rows],
                   next_cursor=encode_cursor(last) if last is not None else None)
