"""One place that turns errors into answers: RFC 9457 problem+json for the API,
a friendly page for the browser.

Every API error, including 404/405 from routing and unexpected 500s, leaves as
``application/problem+json`` with ``{type, title, status, detail}`` and, for
validation, ``errors: [{path, message}]``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from workorders.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    UnsupportedMedia,
    ValidationFailed,
    WorkordersError,
)

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://workorders.dev/problems/"


class ApiProblem(WorkordersError):
    """An error that already knows its HTTP status (raised by API helpers)."""

    def __init__(self, status: int, title: str, detail: str = "",
                 errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extra = extra


def problem(status: int, title: str, detail: str = "",
            errors: list[dict[str, Any]] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    resp = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    return resp


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


_STATUS_OF: tuple[tuple[type[WorkordersError], int, str], ...] = (
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Forbidden"),
    (Conflict, 409, "Conflict"),
    (PreconditionFailed, 412, "Precondition failed"),
    (PreconditionRequired, 428, "Precondition required"),
    (ValidationFailed, 422, "Invalid data"),
    (RateLimited, 429, "Too many requests"),
    (UnsupportedMedia, 415, "Unsupported media type"),
)


def status_of_error(err: WorkordersError) -> tuple[int, str, dict[str, Any]]:
    if isinstance(err, ApiProblem):
        extra = dict(err.extra)
        if err.errors is not None:
            extra["errors"] = err.errors
        return err.status, err.title, extra
    for cls, status, title in _STATUS_OF:
        if isinstance(err, cls):
            extra = {"errors": err.errors} if isinstance(err, ValidationFailed) else {}
            extra.update(getattr(err, "extra", {}) or {})
            return status, title, extra
    return 400, "Bad request", {}


def _error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(WorkordersError)
    def _workorders_error(err: WorkordersError) -> Any:
        status, title, extra = status_of_error(err)
        if _wants_problem():
            return problem(status, title, err.message, **extra)
        return _error_page(status, title, err.message)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Any:
        status = err.code or 500
        title = err.name
        detail = err.description or title
        if _wants_problem():
            resp = problem(status, title, detail)
            if status == 405 and err.valid_methods:  # type: ignore[attr-defined]
                resp.headers["Allow"] = ", ".join(err.valid_methods)  # type: ignore[attr-defined]
            return resp
        return _error_page(status, title, detail)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        detail = "Something went wrong on our side; it has been logged. Try again later."
        if _wants_problem():
            return problem(500, "Internal server error", detail)
        return _error_page(500, "Internal server error", detail)
