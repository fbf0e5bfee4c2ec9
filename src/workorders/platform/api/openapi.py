"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document, built from the URL
map and each view's ``@operation`` metadata (see ``api.docs``)."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, current_app, jsonify

from workorders import __version__
from workorders.platform.api import api
from workorders.platform.api.docs import meta_of, operation
from workorders.platform.input_guard import MAX_ID

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "message": {"type": "string"},
            "line": {"type": ["integer", "null"]}, "column": {"type": ["integer", "null"]}}}},
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
#: what every operation can answer: 400 comes from the input guard, which checks
#: every query parameter and path value, and from reading any JSON body
COMMON_ERRORS = {400: "Malformed request: unreadable JSON, nesting deeper than 64 levels, "
                      "or text holding NUL characters or lone surrogates",
                 401: "No or bad token", 403: "Role not allowed", 404: "Not found",
                 415: "Unsupported media type", 422: "Invalid data", 429: "Rate limited"}
#: what every operation that takes a body can answer besides
BODY_ERRORS = {413: "The body is larger than this operation takes"}
_CONVERTER_TYPES = {"IdConverter": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    "UnicodeConverter": {"type": "string"},
                    "PathConverter": {"type": "string"}}


def _operation(view: Any, rule: Any, method: str) -> dict[str, Any]:
    meta = meta_of(view)
    if meta is None:
        raise RuntimeError(f"API view {rule.endpoint} has no @operation description")
    roles = getattr(view, "required_roles", ())
    op: dict[str, Any] = {
        "summary": meta["summary"],
        "operationId": f"{rule.endpoint.split('.')[-1]}_{method}",
        "parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": _CONVERTER_TYPES.get(type(conv).__name__, {"type": "string"})}
            for name, conv in rule._converters.items()
        ] + [{"name": name, "in": "query", "required": False, "schema": schema}
             for name, schema in meta["query"].items()],
        "responses": {},
    }
    description = meta["description"] + (f"\n\nRoles: {', '.join(roles)}." if roles else "")
    if description.strip():
        op["description"] = description.strip()
    if meta["body"] is not None and method in ("post", "put", "patch"):
        op["requestBody"] = {"required": True, "content": {
            ct: {"schema": meta["body"]} for ct in meta["content_types"]}}
    for status, text in meta["responses"].items():
        op["responses"][str(status)] = _response(status, text, meta["produces"])
    errors = {**COMMON_ERRORS, **(BODY_ERRORS if method in ("post", "put", "patch") else {})}
    for status, text in errors.items():
        op["responses"].setdefault(str(status), _response(status, text, {}))
    return op


def _response(status: int, text: str, produces: dict[str, Any]) -> dict[str, Any]:
    """Every answer with its schema: a problem document for errors, what the
    operation produces for successes."""
    if status >= 400:
        return {"description": text,
                "content": {"application/problem+json": {"schema": PROBLEM_REF}}}
    if status == 204:
        return {"description": text}
    return {"description": text,
            "content": {media: {"schema": schema} for media, schema in produces.items()}}


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(title="workorders API", version=__version__, openapi_version="3.1.0",
                   info={"description": "Cases, submissions, rules, exceptions and exports. "
                                        "Errors are application/problem+json (RFC 9457)."})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        methods = sorted(m.lower() for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))
        operations = {m: _operation(view, rule, m) for m in methods}
        if rule.endpoint != "api.openapi_document":
            for op in operations.values():
                op["security"] = [{"bearer": []}]
        spec.path(path=FlaskPlugin.flaskpath2openapi(rule.rule), operations=operations)
    return spec.to_dict()


@api.get("/openapi.json")
@operation("This OpenAPI document (no authentication needed)")
def openapi_document() -> Any:
    """The OpenAPI document of this API (no authentication needed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("workorders.openapi")
    if cached is None:
        cached = app.extensions["workorders.openapi"] = build_spec(app)
    return jsonify(cached)

