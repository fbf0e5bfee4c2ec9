"""The usual cast, built once per database and configuration, then copied into
each test's empty database.

Building the two tenants through the real services (users, memberships, API
tokens, welcome emails, audit events) takes ~0.55 s a test, about half of the
integration suite's time. The services are exercised for real once per worker
and database; each later test gets the very rows and files they wrote: the same
ids, token hashes, audit chains and welcome emails in the instance's outbox.

A test whose configuration differs from the one the snapshot was taken with
(another SMTP URL, other limits) gets its own snapshot, so what the services did
under that configuration is what the test sees.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Connection, Table, select, text

from tests.support.world import TenantCast, World, make_tenant

#: configuration keys that differ per test without changing what the cast is
_PER_TEST_KEYS = frozenset({"database_url", "instance_dir"})


@dataclass(frozen=True)
class _Snapshot:
    a: TenantCast
    b: TenantCast
    rows: dict[str, list[dict[str, Any]]]
    sequences: dict[str, tuple[int, bool]]
    files: dict[str, bytes]


_SNAPSHOTS: dict[tuple[str, str], _Snapshot] = {}


def _tables() -> list[Table]:
    from workorders.platform.extensions import db

    return list(db.metadata.sorted_tables)


def _fingerprint(config: dict[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in config.items() if k not in _PER_TEST_KEYS))


def _sequence_names(conn: Connection) -> list[str]:
    return list(conn.execute(text(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
        "AND n.nspname = current_schema()")).scalars())


def _take(app: Flask, instance: Path) -> _Snapshot:
    """Build the cast through the services, then read back what they wrote."""
    from workorders.platform.extensions import db

    a = make_tenant(app, "alpha", "Alpha Heat AB")
    b = make_tenant(app, "bravo", "Bravo Electric Oy")
    with app.app_context(), db.engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in _tables()}
        sequences: dict[str, tuple[int, bool]] = {}
        if conn.dialect.name == "postgresql":
            for name in _sequence_names(conn):
                last, called = conn.execute(text(
                    f"SELECT last_value, is_called FROM {name}")).one()
                sequences[name] = (int(last), bool(called))
    files = {str(p.relative_to(instance)): p.read_bytes()
             for p in sorted(instance.rglob("*")) if p.is_file()}
    return _Snapshot(a, b, rows, sequences, files)


def _restore(app: Flask, instance: Path, snapshot: _Snapshot) -> None:
    """Write the snapshot's rows, sequence positions and files into this test's
    empty database and instance folder."""
    from workorders.platform.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        for table in _tables():
            rows = snapshot.rows.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)
        for name, (last, called) in snapshot.sequences.items():
            conn.execute(text("SELECT setval(:name, :last, :called)"),
                         {"name": name, "last": last, "called": called})
    for relative, data in snapshot.files.items():
        path = instance / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _database_is_empty(app: Flask) -> bool:
    from workorders.platform.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return not any(conn.execute(select(t).limit(1)).first() for t in _tables())


def usual_world(app: Flask, config: dict[str, Any]) -> World:
    """Alpha and Bravo with a person and a token per role, as ``make_tenant`` makes them.

    When a fixture wrote rows before the cast (so ids would differ), the cast is
    built through the services as it always was, and nothing is kept."""
    instance = Path(config["instance_dir"])
    if not _database_is_empty(app):
        return World(app=app, a=make_tenant(app, "alpha", "Alpha Heat AB"),
                     b=make_tenant(app, "bravo", "Bravo Electric Oy"))
    key = (str(config["database_url"]), _fingerprint(config))
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        snapshot = _SNAPSHOTS[key] = _take(app, instance)
    else:
        _restore(app, instance, snapshot)
    return World(app=app, a=copy.deepcopy(snapshot.a), b=copy.deepcopy(snapshot.b))
