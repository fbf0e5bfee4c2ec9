"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from workorders.platform.config import settings_of
from workorders.platform.extensions import db


def _check_database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        return f"database: {type(exc).__name__}"


def _check_redis(url: str | None) -> str | None:
    if not url:
        return None
    try:
        from redis import Redis

        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"redis: {type(exc).__name__}"


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Any:
        settings = settings_of(app)
        failures = [f for f in (_check_database(), _check_redis(settings.redis_url)) if f]
        checks = {"database": "ok", "redis": "ok" if settings.redis_url else "not configured"}
        for failure in failures:
            checks[failure.split(":")[0]] = failure.split(": ", 1)[1]
        return jsonify(status="fail" if failures else "ok", checks=checks), (
            503 if failures else 200)
