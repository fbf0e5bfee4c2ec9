"""The JSON API under ``/api/v1``: bearer-token authentication for every
route except the OpenAPI document, and problem+json for every error."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, request

from workorders.platform.api.docs import meta_of
from workorders.platform.api.inputs import check_query
from workorders.platform.auth import actor_from_token
from workorders.platform.extensions import csrf
from workorders.platform.problems import ApiProblem

api = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi_document"}


@api.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
    actor = actor_from_token(token.strip())
    if actor is None:
        raise ApiProblem(401, "Unauthorized", "the token is unknown or revoked")
    g.actor = actor
    meta = meta_of(current_app.view_functions[request.endpoint]) if request.endpoint else None
    if meta is not None:
        check_query(meta["query"])


@api.after_request
def _www_authenticate(resp):  # type: ignore[no-untyped-def]
    if resp.status_code == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="workorders"'
    return resp


def register_api(app: Flask) -> None:
    # importing the modules registers their routes on the blueprint
    from workorders.platform.api import (  # noqa: F401
        accounts,
        admin_history,
        capture,
        case_migration,  # helper 7 (issue 14): moving open cases to a new version
        cases,
        definition_panels,  # helper 6: the editor's see-it panels
        definitions,
        exports,
        health,
        jobs,
        me_messages,  # issue 16: my in-app messages and message settings
        notifications,  # issue 16: the message log
        openapi,
        secrets,
        tokens,  # helper 2: API tokens
        work_queue,
    )

    csrf.exempt(api)
    app.register_blueprint(api)
    health.register(app)
