"""Fixtures shared by the whole suite.

Integration tests take the ``app`` fixture, which is parametrised over both
databases: every such test runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text

from tests.support.services import (
    SKIPPED_SERVICES,
    create_postgres_database,
    drop_postgres_database,
    missing,
    postgres_problem,
)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database per backend for the whole session."""
    from workorders.platform import create_app
    from workorders.platform.bootstrap import init_database

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        name = None
    else:
        problem = postgres_problem()
        if problem:
            missing("PostgreSQL", problem)
        name = f"workorders_test_{os.getpid()}"
        url = create_postgres_database(name)
    init_database(create_app({"database_url": url,
                              "instance_dir": tmp_path_factory.mktemp("init")}))
    yield url
    emptier = _EMPTIERS.pop(url, None)
    if emptier is not None:
        emptier.dispose()
    if name:
        drop_postgres_database(name)


_EMPTYING: dict[str, str] = {}
#: one engine per session database for emptying it (a new connection per test cost
#: a PostgreSQL backend start each time); disposed before the database is dropped
_EMPTIERS: dict[str, Engine] = {}


def _emptying_sql(conn: Any) -> str:
    """One round trip that empties every table and restarts every id sequence on
    PostgreSQL. ``TRUNCATE ... RESTART IDENTITY`` took ~60 ms a test (it makes new
    files for 27 tables); deleting the few rows a test wrote and ``setval`` take
    ~1.5 ms, the same end state. Children go first (reverse dependency order)."""
    from workorders.platform.extensions import db

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    sequences = list(conn.execute(text(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
        "AND n.nspname = current_schema()")).scalars())
    restart = ("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)
               if sequences else "SELECT 1")
    return "; ".join([*(f"DELETE FROM {table}" for table in tables), restart])


def _empty_all_tables(url: str) -> None:
    from workorders.platform.extensions import db

    engine = _EMPTIERS.get(url) or _EMPTIERS.setdefault(url, create_engine(url))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            if url not in _EMPTYING:
                _EMPTYING[url] = _emptying_sql(conn)
            conn.exec_driver_sql(_EMPTYING[url])
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f"DELETE FROM {table.name}"))


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    """The session's database, emptied again after the test."""
    yield database_url
    _empty_all_tables(database_url)


@pytest.fixture
def app_config(clean_database: str, tmp_path: Path) -> dict[str, Any]:
    database_url = clean_database
    return {"database_url": database_url, "instance_dir": tmp_path / "instance",
            "secret_key": "test-secret", "redis_url": None, "smtp_url": None,
            "TESTING": True, "jobs_sync": True, "WTF_CSRF_ENABLED": False,
            "job_backoff_seconds": 0.0,
            # scrypt costs ~0.1 s a hash; the suite creates hundreds of users
            "password_hash_method": "pbkdf2:sha256:1000"}


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    from workorders.platform import create_app
    from workorders.platform.extensions import db

    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # parallel workers skip in their own processes: read their reports' reasons too
    skipped = dict(SKIPPED_SERVICES)
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        service, found, why = reason.removeprefix("Skipped: ").partition(" unavailable: ")
        if found:
            skipped.setdefault(service, why)
    if skipped:
        terminalreporter.section("SERVICES MISSING: these parts of the suite did not run",
                                 sep="!", red=True, bold=True)
        for service, reason in skipped.items():
            terminalreporter.line(f"{service}: {reason}", red=True, bold=True)
