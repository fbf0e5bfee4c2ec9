"""Exceptions and approvals over HTTP: the coordinators' queues."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import (
    ID_SCHEMA,
    expected_version,
    json_body,
    page,
    page_args,
)
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import Approval, Case, CaseException
from workorders.platform.services import work_queue as svc
from workorders.platform.services.exception_queue import ExceptionFilter, filtered_exceptions

_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
ASSIGN = {"type": "object", "additionalProperties": False, "required": ["user"],
          "properties": {"user": {"type": ["string", "null"], "maxLength": 254}}}
RESOLVE = {"type": "object", "additionalProperties": False, "required": ["note"],
           "properties": {"note": _TEXT}}
OVERRIDE = {"type": "object", "additionalProperties": False, "required": ["reason"],
            "properties": {"reason": _TEXT}}
DECISION = {"type": "object", "additionalProperties": False, "required": ["decision"],
            "properties": {"decision": {"enum": ["approve", "reject"]},
                           "comment": {"type": ["string", "null"], "maxLength": 2000}}}
EXCEPTION_FILTERS: dict[str, dict[str, Any]] = {
    "status": {"enum": ["open", "resolved", "overridden", "resolved_by_rule"]},
    "assigned_to": {"type": "string",
                    "description": "'me' (assigned to me), 'unassigned', an email, or a role"},
    "severity": {"enum": ["low", "medium", "high", "critical"]},
    "code": {"type": "string"}, "case_type": {"type": "string"},
    "older_than_hours": {"type": "integer", "minimum": 0, "maximum": 24 * 366 * 100},  # a century
    "case_id": ID_SCHEMA,
}


def exception_json(e: CaseException) -> dict[str, Any]:
    case = db.session.get(Case, e.case_id)
    return {"id": e.id, "case_id": e.case_id, "case_number": case.number if case else None,
            "rule": e.rule_id, "code": e.code, "severity": e.severity, "message": e.message,
            "status": e.status, "assigned_role": e.assign_role,
            "assigned_to": e.assignee.email if e.assignee else None, "trigger": e.trigger,
            "trace": e.trace, "explanation": [t.get("text") for t in e.trace if t.get("text")],
            "note": e.note, "closed_by": e.closed_by,
            "closed_at": e.closed_at.isoformat() if e.closed_at else None,
            "version": e.version, "created_at": e.created_at.isoformat()}


def approval_json(a: Approval) -> dict[str, Any]:
    case = db.session.get(Case, a.case_id)
    return {"id": a.id, "case_id": a.case_id, "case_number": case.number if case else None,
            "rule": a.rule_id, "approver": a.approver, "reason": a.reason, "status": a.status,
            "trace": a.trace, "explanation": [t.get("text") for t in a.trace if t.get("text")],
            "decided_by": a.decided_by,
            "decided_at": a.decided_at.isoformat() if a.decided_at else None,
            "comment": a.comment, "version": a.version, "created_at": a.created_at.isoformat(),
            "may_decide": svc.may_decide(current_actor(), a)}


def _etag(body: dict[str, Any]) -> Response:
    resp = jsonify(body)
    resp.headers["ETag"] = f'"{body["version"]}"'
    return resp


@api.get("/exceptions")
@operation("Exceptions raised by rules, newest first, with the rule's trace",
           query=EXCEPTION_FILTERS)
def list_exceptions() -> Any:
    actor = current_actor()
    limit, after = page_args()
    args = request.args
    who = args.get("assigned_to", "")
    stmt = filtered_exceptions(actor, ExceptionFilter(
        status=args.get("status") or None, severity=args.get("severity", ""),
        code=args.get("code", ""), case_type=args.get("case_type", ""),
        assignee=who if who in ("", "me", "unassigned") or "@" in who else f"role:{who}",
        older_than_hours=(int(args["older_than_hours"])
                          if args.get("older_than_hours", "").isdigit() else None),
        case_id=int(args["case_id"]) if args.get("case_id", "").isdigit() else None))
    if after is not None:
        stmt = stmt.where(CaseException.id < after)
    rows = list(db.session.execute(stmt.order_by(CaseException.id.desc())
                                   .limit(limit + 1)).scalars())
    return jsonify(page(rows, limit, exception_json))


@api.get("/exceptions/<int:exception_id>")
@operation("One exception with its trace")
def get_exception(exception_id: int) -> Any:
    return _etag(exception_json(get_for_tenant(CaseException, exception_id,
                                               current_actor().tenant_id)))


def _exception_action(exception_id: int, schema: dict[str, Any]) -> dict[str, Any]:
    get_for_tenant(CaseException, exception_id, current_actor().tenant_id)
    return json_body(schema)


@api.post("/exceptions/<int:exception_id>/assign")
@operation("Assign to a person (coordinator or admin)", body=ASSIGN,
           responses={200: "OK", 412: "Stale If-Match"})
def assign_exception(exception_id: int) -> Any:
    body = _exception_action(exception_id, ASSIGN)
    return _etag(exception_json(svc.assign_exception(current_actor(), exception_id,
                                                     body["user"], expected_version())))


@api.post("/exceptions/<int:exception_id>/resolve")
@operation("Resolve with a note", body=RESOLVE,
           responses={200: "OK", 409: "Not open", 412: "Stale If-Match"})
def resolve_exception(exception_id: int) -> Any:
    body = _exception_action(exception_id, RESOLVE)
    return _etag(exception_json(svc.resolve_exception(current_actor(), exception_id,
                                                      body["note"], expected_version())))


@api.post("/exceptions/<int:exception_id>/override")
@operation("Override with a reason (coordinator or admin)", body=OVERRIDE,
           responses={200: "OK", 409: "Not open", 412: "Stale If-Match"})
def override_exception(exception_id: int) -> Any:
    body = _exception_action(exception_id, OVERRIDE)
    return _etag(exception_json(svc.override_exception(current_actor(), exception_id,
                                                       body["reason"], expected_version())))


@api.post("/exceptions/<int:exception_id>/reopen")
@operation("Reopen a resolved or overridden exception",
           responses={200: "OK", 409: "Open", 412: "Stale If-Match"})
def reopen_exception(exception_id: int) -> Any:
    get_for_tenant(CaseException, exception_id, current_actor().tenant_id)
    return _etag(exception_json(svc.reopen_exception(current_actor(), exception_id,
                                                     expected_version())))


@api.get("/approvals")
@operation("Approvals, newest first; mine=true for those routed to me",
           query={"status": {"enum": ["pending", "approved", "rejected", "resolved_by_rule"]},
                  "mine": {"type": "boolean"}, "case_id": ID_SCHEMA})
def list_approvals() -> Any:
    actor = current_actor()
    limit, after = page_args()
    stmt = select(Approval).where(Approval.tenant_id == actor.tenant_id)
    if request.args.get("status"):
        stmt = stmt.where(Approval.status == request.args["status"])
    if request.args.get("case_id", "").isdigit():
        stmt = stmt.where(Approval.case_id == int(request.args["case_id"]))
    if request.args.get("mine") == "true":
        routed = [f"role:{r}" for r in sorted(actor.roles)] + [f"user:{actor.email}"]
        stmt = stmt.where(Approval.approver.in_(routed))
    if after is not None:
        stmt = stmt.where(Approval.id < after)
    rows = list(db.session.execute(stmt.order_by(Approval.id.desc()).limit(limit + 1)).scalars())
    return jsonify(page(rows, limit, approval_json))


@api.get("/approvals/<int:approval_id>")
@operation("One approval with the rule's trace")
def get_approval(approval_id: int) -> Any:
    return _etag(approval_json(get_for_tenant(Approval, approval_id, current_actor().tenant_id)))


@api.post("/approvals/<int:approval_id>/decision")
@operation("Approve or reject (only the routed role or user)", body=DECISION,
           responses={200: "OK", 403: "Not routed to you", 409: "Already decided",
                      412: "Stale If-Match"})
def decide_approval(approval_id: int) -> Any:
    actor = current_actor()
    get_for_tenant(Approval, approval_id, actor.tenant_id)
    body = json_body(DECISION)
    approval = svc.decide_approval(actor, actor.tenant_id, approval_id, body["decision"],
                                   body.get("comment"), expected_version())
    return _etag(approval_json(approval))
