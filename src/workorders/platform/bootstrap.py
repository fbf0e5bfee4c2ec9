"""Preparing a database for the app: migrations, run idempotently."""

from __future__ import annotations

from flask import Flask

from workorders.platform.extensions import db
from workorders.platform.migrate import current_revision, upgrade_database


def init_database(app: Flask) -> str | None:
    """Bring the schema to the newest revision; answer that revision. The run that
    adds keyed audit heads also seals the chains written before them."""
    from workorders.platform.services.audit_key import chain_key
    from workorders.platform.services.audit_seal import predates_heads, seal_legacy_chains

    with app.app_context():
        before = current_revision(db.engine)
        upgrade_database(db.engine)
        if predates_heads(before):
            seal_legacy_chains(db.session(), chain_key())
            db.session.commit()
        return current_revision(db.engine)
