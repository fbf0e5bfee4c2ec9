"""Alembic environment: always driven from ``workorders.platform.migrate``,
which hands over an open connection, so migrations run against exactly the
database the app is configured for."""

from __future__ import annotations

from alembic import context

import workorders.platform.models  # noqa: F401  (registers the tables)
from workorders.platform.extensions import db

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by migrate.upgrade_database
    raise RuntimeError("run migrations through 'workorders init'")

context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    user_module_prefix="wt.",
)
with context.begin_transaction():
    context.run_migrations()
