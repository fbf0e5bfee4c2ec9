"""Reading API requests: content types (415), malformed JSON (400), schema
validation (422 with JSON pointers), query parameters against their documented
schemas (422), pagination and ``If-Match``."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from workorders.definitions.limits import INT64_MAX
from workorders.platform.input_guard import MAX_ID, parse_json
from workorders.platform.problems import ApiProblem
from workorders.platform.services.json_input import validate

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: an id in a query or a body: what the path converter accepts, minus 0
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def require_content_type(*allowed: str) -> str:
    mimetype = request.mimetype or ""
    if mimetype not in allowed and not (
            "application/json" in allowed and mimetype.endswith("+json")):
        raise ApiProblem(415, "Unsupported media type",
                         f"send the body as {' or '.join(allowed)}, not {mimetype or 'nothing'}")
    return mimetype


def json_body(schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The request's JSON object, validated against ``schema`` (every error listed)."""
    require_content_type("application/json")
    data = parse_json(request.get_data(cache=True))
    if not isinstance(data, dict):
        raise ApiProblem(400, "Malformed JSON", "the body must be a JSON object")
    if schema is not None:
        validate(data, schema)
    return data


def _query_value(raw: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch("-?[0-9]+", raw):
            raise ValueError("must be a whole number")
        if len(raw.lstrip("-")) > len(str(INT64_MAX)):
            raise ValueError(f"is too large: at most {schema.get('maximum', INT64_MAX)}")
        return int(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("must be true or false")
        return raw == "true"
    return raw


def check_query(parameters: Mapping[str, Mapping[str, Any]]) -> None:
    """Each documented query parameter that was sent, read as its schema's type
    and validated against it: a 422 naming the parameter instead of a number too
    large for the database or a filter that silently matches nothing."""
    errors: list[dict[str, str]] = []
    for name, schema in parameters.items():
        raw = request.args.get(name)
        if raw is None:
            continue
        try:
            value = _query_value(raw, schema)
        except ValueError as exc:
            errors.append({"path": f"/{name}", "message": f"{name} {exc}"})
            continue
        errors += [{"path": f"/{name}", "message": f"{name}: {e.message}"}
                   for e in Draft202012Validator(schema).iter_errors(value)]
    if errors:
        raise ApiProblem(422, "Invalid data",
                         "; ".join(e["message"] for e in errors), errors=errors)


def page_args() -> tuple[int, int | None]:
    """``(limit, after_id)`` from ``?limit=`` and an opaque ``?cursor=``."""
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
    except ValueError as exc:
        raise ApiProblem(422, "Invalid data", "limit must be an integer",
                         errors=[{"path": "/limit", "message": "not an integer"}]) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiProblem(422, "Invalid data", f"limit must be between 1 and {MAX_LIMIT}",
                         errors=[{"path": "/limit", "message": "out of range"}])
    cursor = request.args.get("cursor")
    return limit, decode_cursor(cursor) if cursor else None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id" or not value.isdigit() or int(value) > MAX_ID:
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(422, "Invalid data", "the cursor is not one this API gave out",
                         errors=[{"path": "/cursor", "message": "invalid cursor"}]) from exc


def page(items: list[Any], limit: int, render: Any) -> dict[str, Any]:
    """Answer ``{items, next_cursor}`` from ``limit + 1`` fetched rows."""
    more = len(items) > limit
    shown = items[:limit]
    return {"items": [render(i) for i in shown],
            "next_cursor": encode_cursor(shown[-1].id) if more and shown else None}


def expected_version() -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"``); None without one or
    for ``*``; -1 (matches nothing, so 412) for a tag this API never gave out."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    try:
        return int(header.strip().removeprefix("W/").strip('"'))
    except ValueError:
        return -1
