"""Cases over HTTP: book, list, read, change, move, and the audit trail."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.idempotency import body_limit, idempotent
from workorders.platform.api.inputs import (
    encode_cursor,
    expected_version,
    json_body,
    page_args,
)
from workorders.platform.api.work_queue import approval_json, exception_json
from workorders.platform.auth import Actor, current_actor
from workorders.platform.services import case_queries as queries
from workorders.platform.services import cases as svc
from workorders.platform.services.case_input import BOOKING_SCHEMA, PATCH_SCHEMA, TRANSITION_SCHEMA
from workorders.platform.services.case_outcomes import case_outcomes

IMPORT_LIMIT = 5 * 1024 * 1024
CASE_FILTERS: dict[str, dict[str, Any]] = {
    "status": {"type": "string"}, "case_type": {"type": "string"},
    "assignee": {"type": "string", "description": "an email, or 'me'"},
    "owner": {"type": "string", "description": "'me', a role, 'assignee' or 'customer'"},
    "invoice_ready": {"type": "boolean"}, "q": {"type": "string"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
    "cursor": {"type": "string"},
}


def case_json(actor: Actor, loaded: svc.LoadedCase) -> dict[str, Any]:
    """The case with what is open on it, read as the case page reads it and
    written as the exceptions and approvals endpoints write each item."""
    outcomes = case_outcomes(actor, loaded.case.id)
    return {**queries.case_view(actor, loaded),
            "open_exceptions": [exception_json(e) for e in outcomes.exceptions],
            "pending_approvals": [approval_json(a) for a in outcomes.approvals]}


def _case_response(loaded: svc.LoadedCase, status: int = 200) -> Response:
    resp = jsonify(case_json(current_actor(), loaded))
    resp.status_code = status
    resp.headers["ETag"] = f'"{loaded.case.version}"'
    return resp


@api.post("/cases")
@idempotent
@operation("Book a case", body=BOOKING_SCHEMA,
           responses={201: "The case", 409: "No published definition", 422: "Invalid booking"})
def book_case() -> Any:
    body = json_body(BOOKING_SCHEMA)
    case = svc.book_case(current_actor(), body)
    return _case_response(svc.get_case(current_actor(), case.id), 201)


@api.get("/cases")
@operation("Cases, newest first, with filters", query=CASE_FILTERS)
def list_cases() -> Any:
    limit, after = page_args()
    args = request.args
    filters = queries.CaseFilters(status=args.get("status"), case_type=args.get("case_type"),
                                  assignee=args.get("assignee"), owner=args.get("owner"),
                                  q=args.get("q"))
    actor = current_actor()
    ready_filter = args.get("invoice_ready")
    items: list[dict[str, Any]] = []
    last_id: int | None = after
    more = True
    while more and len(items) < limit:
        batch = queries.list_cases(actor, filters, limit + 1, last_id)
        more = len(batch) > limit
        for case in batch[:limit]:
            last_id = case.id
            view = case_json(actor, svc.get_case(actor, case.id))
            if ready_filter is None or str(view["invoice"]["ready"]).lower() == ready_filter:
                items.append(view)
                if len(items) == limit:
                    break
    next_cursor = encode_cursor(last_id) if more and last_id is not None else None
    return jsonify(items=items, next_cursor=next_cursor)


@api.get("/cases/<int:case_id>")
@operation("One case with its allowed transitions and invoice readiness")
def get_case(case_id: int) -> Any:
    return _case_response(svc.get_case(current_actor(), case_id))


@api.patch("/cases/<int:case_id>")
@operation("Change booking data (If-Match honoured)", body=PATCH_SCHEMA,
           responses={200: "The case", 412: "Stale If-Match", 422: "Invalid change"})
def update_case(case_id: int) -> Any:
    actor = current_actor()
    svc.get_case(actor, case_id, for_change=True)  # a foreign id is 404 before anything else
    body = json_body(PATCH_SCHEMA)
    case = svc.update_case(actor, case_id, body, expected_version())
    return _case_response(svc.get_case(actor, case.id))


@api.post("/cases/<int:case_id>/transitions")
@operation("Move the case along its lifecycle; a cancel-like step (to a final state that is "
           "not work complete) needs a comment saying why",
           body=TRANSITION_SCHEMA,
           responses={200: "The case", 409: "Not allowed: {unmet: [...]}", 412: "Stale If-Match",
                      422: "Unknown transition, or a cancel-like step without a comment"})
def transition_case(case_id: int) -> Any:
    actor = current_actor()
    svc.get_case(actor, case_id, for_change=True)
    body = json_body(TRANSITION_SCHEMA)
    case = svc.transition_case(actor, case_id, body["transition"], body.get("comment"),
                               expected_version())
    return _case_response(svc.get_case(actor, case.id))


@api.post("/cases/<int:case_id>/on-my-way")
@operation("The assigned technician is on the way: recorded in the history, runs the "
           "case type's on_my_way rules (lifecycles with on_my_way: true; If-Match honoured)",
           responses={200: "The case", 403: "Not the assigned technician",
                      409: "Not used by this case type, or the work has started",
                      412: "Stale If-Match"})
def on_my_way(case_id: int) -> Any:
    from workorders.platform.services.field_work import say_on_my_way

    actor = current_actor()
    svc.get_case(actor, case_id, for_change=True)
    say_on_my_way(actor, case_id, expected_version())
    return _case_response(svc.get_case(actor, case_id))


TIMER_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["action"],
    "properties": {"action": {"enum": ["start", "stop"]}}}


@api.post("/cases/<int:case_id>/timer")
@operation("The assigned technician's work timer: start, or stop (the hours, to the "
           "quarter, become a time row in the draft of the case's first form with time "
           "lines); If-Match honoured", body=TIMER_SCHEMA,
           responses={200: "The case with timer {running, started_at} (and stopped "
                           "{hours, form, revision, problem} after a stop)",
                      403: "Not the assigned technician",
                      409: "Already running, not running, or the work is finished",
                      412: "Stale If-Match"})
def work_timer(case_id: int) -> Any:
    from workorders.platform.services import field_work

    actor = current_actor()
    svc.get_case(actor, case_id, for_change=True)
    body = json_body(TIMER_SCHEMA)
    stopped = None
    if body["action"] == "start":
        field_work.start_timer(actor, case_id, expected_version())
    else:
        stopped = field_work.stop_timer(actor, case_id, expected_version())
    resp = _case_response(svc.get_case(actor, case_id))
    state = field_work.timer_state(actor, case_id)
    payload = dict(resp.get_json())
    payload["timer"] = {"running": state.running, "started_at":
                        state.started_at.isoformat() if state.started_at else None}
    if stopped is not None:
        payload["stopped"] = {"hours": field_work.hours_text(stopped.hours),
                              "form": stopped.form.id if stopped.form else None,
                              "revision": stopped.revision, "problem": stopped.problem}
    resp.set_data(json.dumps(payload))
    return resp


@api.get("/cases/<int:case_id>/events")
@operation("The case's audit trail, oldest first")
def case_events(case_id: int) -> Any:
    events = queries.case_events(current_actor(), case_id)
    return jsonify(items=[queries.event_view(e) for e in events], next_cursor=None)



def import_json(record: Any) -> dict[str, Any]:
    return {"id": record.id, "status": record.status, "filename": record.filename,
            "total_rows": record.total_rows, "processed_rows": record.processed_rows,
            "created": record.created, "skipped": record.skipped, "errors": record.errors,
            "created_at": record.created_at.isoformat(),
            "finished_at": record.finished_at.isoformat() if record.finished_at else None}


@api.post("/cases/import")
@body_limit(IMPORT_LIMIT)
@idempotent
@operation("Book cases from a CSV file (multipart 'file'; optional 'timezone' for times "
           "without an offset, by default the tenant's)", content_types=("multipart/form-data",),
           body={"type": "object", "required": ["file"], "properties": {
               "file": {"type": "string", "contentMediaType": "text/csv"},
               "timezone": {"type": "string", "description": "IANA zone; default: the "
                            "tenant's time zone (its definitions' timezone)"}}},
           responses={200: "{created, skipped, errors:[{row, message}]}", 413: "File too large"})
def import_cases() -> Any:
    from workorders.platform.api.inputs import require_content_type
    from workorders.platform.problems import ApiProblem
    from workorders.platform.services.case_import import import_cases as run_import

    require_content_type("multipart/form-data")
    upload = request.files.get("file")
    if upload is None:
        raise ApiProblem(422, "Invalid data", "send the CSV as the multipart field 'file'",
                         errors=[{"path": "/file", "message": "missing"}])
    record = run_import(current_actor(), upload.read(), upload.filename or "",
                        request.form.get("timezone") or None)
    return jsonify(import_json(record))


@api.get("/imports/<int:import_id>")
@operation("Progress and report of a CSV import")
def get_import(import_id: int) -> Any:
    from workorders.platform.database import get_for_tenant
    from workorders.platform.models import CaseImport

    return jsonify(import_json(get_for_tenant(CaseImport, import_id, current_actor().tenant_id)))
