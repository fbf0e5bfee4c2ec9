"""Server-rendered pages for people: session login, CSRF on every form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, redirect, request, session, url_for

from workorders.platform.auth import actor_from_session

web = Blueprint("web", __name__)
PUBLIC_ENDPOINTS = {"web.login", "static"}


@web.before_app_request
def _load_actor() -> Any:
    if request.path.startswith("/api/") or request.endpoint in (None, "healthz", "readyz"):
        return None
    g.actor = actor_from_session(session.get("tid"), session.get("sid"))
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint == "web.choose_tenant":
        return None
    if g.actor is None:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    return None


def register_web(app: Flask) -> None:
    from workorders.platform.web import (  # noqa: F401
        admin,
        attachments,
        board,
        booking,
        capture,
        case_edit,  # H3 (issue 15): edit booking, cancel with a reason, customer lookup
        case_list,  # H5 (issue 15): the case list across case types and its CSV
        case_page,
        definition_diff,
        definition_editor,
        definition_pages,
        definition_panels,  # helper 6: the editor's see-it panels and the form preview
        definition_publish,
        dispatch,  # H4 (issue 15): the dispatch week
        exports,
        field_work,  # H1 (issue 15): On my way and the work timer
        inbox,
        message_log,  # issue 16: the message log and a case's messages
        messages_page,  # issue 16: a person's in-app messages and message settings
        migration_page,  # helper 8 (issue 14): moving open cases to a new version
        my_jobs,
        pages,
        people_page,  # helper 2
        queue,
        reconciliation,
        secrets_page,
        session_views,
        tokens_page,  # helper 2
    )
    from workorders.platform.web.display import init_filters

    app.register_blueprint(web)
    init_filters(app)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"actor": g.get("actor"), "may": _actor_may}


def _actor_may(action: str) -> bool:
    """Templates ask the role table by the action's name: ``may('READ_INVOICES')``."""
    from workorders.platform.permissions import Action, may

    return may(g.get("actor"), Action[action])
