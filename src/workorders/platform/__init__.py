"""The platform shell: the Flask app, persistence, services, API, pages and jobs.

``create_app`` is the only entry point; nothing here does work at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from workorders.platform.config import load_settings, settings_of
from workorders.platform.private_paths import private_dir


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app from the environment plus ``config`` overrides (tests, CLI)."""
    from workorders.platform import database, input_guard, problems, security
    from workorders.platform.api import register_api
    from workorders.platform.extensions import csrf, db
    from workorders.platform.jobs.dispatch import init_dispatch
    from workorders.platform.web import register_web
    from workorders.platform.web.public import register_public
    from workorders.rules import registry as rules_registry

    settings = load_settings(config)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=database.engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.https,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="workorders_session",
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    app.config.update({k: v for k, v in settings.extra.items() if k.isupper()})
    app.extensions["workorders.settings"] = settings
    rules_registry.set_limit(settings.rules_cache_size)
    if settings.trusted_proxies:  # the client's own address and scheme, not the proxy's
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    for sub in ("files", "outbox", "exports"):
        private_dir(settings.instance_dir / sub)

    database.create_sqlite_file(settings.database_url)
    database.install_sqlite_pragmas()
    database.install_fresh_relationships()
    db.init_app(app)
    csrf.init_app(app)
    problems.init_app(app)
    input_guard.init_app(app)
    security.init_app(app)
    init_dispatch(app)
    register_api(app)
    register_web(app)
    register_public(app)
    return app


__all__ = ["create_app", "settings_of"]
