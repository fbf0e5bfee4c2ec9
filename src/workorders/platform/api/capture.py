"""Field capture over HTTP: attachments, submissions, corrections."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from workorders.platform.api import api
from workorders.platform.api.docs import ANY_BYTES, operation
from workorders.platform.api.idempotency import body_limit, idempotent
from workorders.platform.api.inputs import json_body, require_content_type
from workorders.platform.auth import current_actor
from workorders.platform.models import Attachment, Submission
from workorders.platform.problems import ApiProblem
from workorders.platform.services import attachments as files
from workorders.platform.services import submissions as svc
from workorders.platform.services.case_context import load_case
from workorders.platform.services.files import read_bytes

UPLOAD_LIMIT = 20 * 1024 * 1024
SUBMIT_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["form", "data"],
    "properties": {"form": {"type": "string", "maxLength": 63}, "data": {"type": "object"},
                   "draft": {"type": "boolean", "default": False}},
}
CORRECTION_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["data", "reason"],
    "properties": {"data": {"type": "object"},
                   "reason": {"type": "string", "minLength": 1, "maxLength": 2000}},
}


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "sha256": a.sha256, "content_type": a.content_type, "size": a.size,
            "filename": a.filename, "width": a.width, "height": a.height,
            "thumbnail": a.thumbnail_sha256 is not None, "created_by": a.created_by,
            "created_at": a.created_at.isoformat()}


def submission_json(s: Submission) -> dict[str, Any]:
    return {"id": s.id, "case_id": s.case_id, "form": s.form_id, "revision": s.revision,
            "kind": s.kind, "data": s.data, "warnings": s.warnings, "reason": s.reason,
            "previous_id": s.previous_id, "author": s.author,
            "created_at": s.created_at.isoformat()}


@api.post("/cases/<int:case_id>/attachments")
@body_limit(UPLOAD_LIMIT)
@idempotent
@operation("Upload a photo, signature or document (multipart 'file')",
           content_types=("multipart/form-data",),
           body={"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "contentMediaType":
                                         "application/octet-stream"}}},
           responses={201: "{id, sha256, content_type, size}", 413: "Too large",
                      415: "Not JPEG, PNG, WebP, HEIC or PDF"})
def upload_attachment(case_id: int) -> Any:
    actor = current_actor()
    load_case(actor, case_id)
    require_content_type("multipart/form-data")
    upload = request.files.get("file")
    if upload is None:
        raise ApiProblem(422, "Invalid data", "send the file as the multipart field 'file'",
                         errors=[{"path": "/file", "message": "missing"}])
    attachment = files.add_attachment(actor, case_id, upload.read(), upload.filename or "")
    return jsonify(attachment_json(attachment)), 201


def _file_response(sha: str, content_type: str, filename: str = "") -> Response:
    resp = Response(read_bytes(sha), mimetype=content_type)
    resp.headers["Cache-Control"] = "private, max-age=86400, immutable"
    resp.headers["Content-Disposition"] = "inline"
    resp.headers["ETag"] = f'"{sha}"'
    return resp


@api.get("/attachments/<attachment_id>")
@operation("The attached file's bytes", produces=ANY_BYTES)
def download_attachment(attachment_id: str) -> Any:
    a = files.get_attachment(current_actor(), attachment_id)
    return _file_response(a.sha256, a.content_type, a.filename)


@api.get("/attachments/<attachment_id>/thumbnail")
@operation("A small, upright preview of a photo", responses={200: "Image", 404: "No preview"},
           produces={"image/png": {"type": "string", "format": "binary"},
                     "image/jpeg": {"type": "string", "format": "binary"}})
def attachment_thumbnail(attachment_id: str) -> Any:
    a = files.get_attachment(current_actor(), attachment_id)
    if a.thumbnail_sha256 is None:
        raise ApiProblem(404, "Not found", "this attachment has no preview")
    data = read_bytes(a.thumbnail_sha256)
    kind = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    return _file_response(a.thumbnail_sha256, kind)


@api.post("/cases/<int:case_id>/submissions")
@idempotent
@operation("Submit a form: a draft (incomplete is fine) or final (strict)", body=SUBMIT_SCHEMA,
           responses={201: "{submission:{id, revision, kind}, warnings, evaluation}",
                      409: "Already submitted, or the case is closed", 422: "Invalid data"})
def submit(case_id: int) -> Any:
    actor = current_actor()
    load_case(actor, case_id, lock=True)  # 404 first; the lock the submission needs anyway
    body = json_body(SUBMIT_SCHEMA)
    result = svc.submit_form(actor, case_id, body["form"], body["data"],
                             draft=bool(body.get("draft", False)))
    return jsonify(submission=submission_json(result.submission), warnings=result.warnings,
                   evaluation=result.evaluation), 201


@api.post("/submissions/<int:submission_id>/corrections")
@idempotent
@operation("Correct a submitted form: a new revision with a reason", body=CORRECTION_SCHEMA,
           responses={201: "{submission, warnings, evaluation}", 409: "Not the latest revision"})
def correct(submission_id: int) -> Any:
    actor = current_actor()
    svc.get_submission(actor, submission_id)
    body = json_body(CORRECTION_SCHEMA)
    result = svc.correct_submission(actor, submission_id, body["data"], body["reason"])
    return jsonify(submission=submission_json(result.submission), warnings=result.warnings,
                   evaluation=result.evaluation), 201


@api.get("/cases/<int:case_id>/submissions")
@operation("Every revision of every form of the case")
def case_submissions(case_id: int) -> Any:
    items = svc.list_submissions(current_actor(), case_id)
    return jsonify(items=[submission_json(s) for s in items], next_cursor=None)


@api.get("/submissions/<int:submission_id>")
@operation("One revision")
def get_submission(submission_id: int) -> Any:
    return jsonify(submission_json(svc.get_submission(current_actor(), submission_id)))
