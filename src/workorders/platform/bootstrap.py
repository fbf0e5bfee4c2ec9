"""Preparing a database for the app: migrations, run idempotently."""

from __future__ import annotations

from flask import Flask

from workorders.platform.extensions import db
from workorders.platform.migrate import current_revision, upgrade_database


def init_database(app: Flask) -> str | None:
    """Bring the schema to the newest revision; answer that revision."""
    with app.app_context():
        upgrade_database(db.engine)
        return current_revision(db.engine)
