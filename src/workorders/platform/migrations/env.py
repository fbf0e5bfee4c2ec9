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

#: indexes made by hand-written, dialect-specific migrations (0007's trigram index)
NOT_IN_MODELS = {"ix_cases_search_trgm"}


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    return not (type_ == "index" and name in NOT_IN_MODELS)


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    user_module_prefix="wt.",
)
with context.begin_transaction():
    context.run_migrations()
