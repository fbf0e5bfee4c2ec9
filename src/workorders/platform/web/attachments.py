"""Photos and signatures for pages: upload from the technician page, show them
on the case page.

The same services as the API (``add_attachment``, ``get_attachment``), with the
session instead of a token, so another tenant's id is a 404 here too. The upload
answers JSON even on errors (the page's script shows the message beside the
photo), and takes an ``Idempotency-Key`` so a retried upload after a dropped
connection does not attach the photo twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from workorders.platform.api.capture import UPLOAD_LIMIT
from workorders.platform.api.idempotency import idempotent
from workorders.platform.auth import current_actor
from workorders.platform.services import attachments as files
from workorders.platform.services.attachments import UnsupportedFile
from workorders.platform.services.case_context import load_case
from workorders.platform.services.files import read_bytes
from workorders.platform.web import web

CAPTURERS = ("technician", "coordinator", "admin")
TOO_LARGE = (f"The file is larger than {UPLOAD_LIMIT // (1024 * 1024)} MB. Take the photo again "
             "at a lower resolution, or send a smaller file.")


def _problem(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message, status=status), status


def _file(sha: str, content_type: str) -> Response:
    resp = Response(read_bytes(sha), mimetype=content_type)
    resp.headers["Cache-Control"] = "private, max-age=86400, immutable"
    resp.headers["Content-Disposition"] = "inline"
    resp.headers["ETag"] = f'"{sha}"'
    return resp


def upload_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Raise the body limit to the upload limit *before* anything reads the body
    (the idempotency fingerprint does), and answer a too-large body in JSON."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = UPLOAD_LIMIT
        try:
            return view(*args, **kwargs)
        except RequestEntityTooLarge:
            return _problem(413, TOO_LARGE)
    return wrapper


@web.post("/cases/<int:case_id>/attachments")
@upload_limit
@idempotent
def page_upload(case_id: int) -> Any:
    actor = current_actor()
    load_case(actor, case_id)  # another tenant's case: 404
    if not actor.has_any(*CAPTURERS):
        return _problem(403, "Only technicians and coordinators attach files to a case.")
    upload = request.files.get("file")
    if upload is None:
        return _problem(422, "Choose a file to upload.")
    try:
        attachment = files.add_attachment(actor, case_id, upload.read(), upload.filename or "")
    except UnsupportedFile as err:
        return _problem(415, f"{err.message[:1].upper()}{err.message[1:]}.")
    return jsonify(id=attachment.id, content_type=attachment.content_type,
                   filename=attachment.filename, width=attachment.width,
                   height=attachment.height,
                   thumbnail=attachment.thumbnail_sha256 is not None), 201


@web.get("/attachments/<attachment_id>")
def page_attachment(attachment_id: str) -> Response:
    a = files.get_attachment(current_actor(), attachment_id)
    return _file(a.sha256, a.content_type)


@web.get("/attachments/<attachment_id>/thumbnail")
def page_thumbnail(attachment_id: str) -> Response:
    a = files.get_attachment(current_actor(), attachment_id)
    if a.thumbnail_sha256 is None:
        abort(404, "This attachment has no preview.")
    data = read_bytes(a.thumbnail_sha256)
    return _file(a.thumbnail_sha256, "image/png" if data[:4] == b"\x89PNG" else "image/jpeg")
