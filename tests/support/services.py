"""Finding the real services the suite needs, and refusing to pass quietly
without them.

Without PostgreSQL, Redis or Chromium the affected tests are skipped with a
loud reason; with ``WORKORDERS_REQUIRE_SERVICES=1`` (set by ``.ci/run``) any
such skip is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "WORKORDERS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: database 15, or one below it per pytest-xdist worker (gw0 -> 15, gw1 -> 14, ...), so
#: parallel workers never empty each other's queues
_XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
REDIS_TEST_URL = os.environ.get("WORKORDERS_TEST_REDIS_URL",
                                f"redis://127.0.0.1:6379/{15 - _XDIST_WORKER}")
CHROMIUM = os.environ.get("WORKORDERS_TEST_CHROMIUM", "/usr/bin/chromium")

SKIPPED_SERVICES: dict[str, str] = {}


def services_required() -> bool:
    return os.environ.get("WORKORDERS_REQUIRE_SERVICES", "") not in ("", "0", "false")


def missing(service: str, reason: str) -> None:
    """Skip (or, when services are required, fail) the calling test."""
    SKIPPED_SERVICES[service] = reason
    if services_required():
        pytest.fail(f"{service} is required (WORKORDERS_REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{service} unavailable: {reason}")


def _port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port),
                                      timeout=1):
            return True
    except OSError:
        return False


@cache
def postgres_problem() -> str | None:
    if not _port_open(POSTGRES_ADMIN_URL, 5432):
        return f"nothing listens at {POSTGRES_ADMIN_URL}"
    try:
        import psycopg

        with psycopg.connect(_libpq_url(POSTGRES_ADMIN_URL), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"cannot connect: {exc}"


@cache
def redis_problem() -> str | None:
    try:
        from redis import Redis

        Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{REDIS_TEST_URL}: {exc}"


def chromium_problem() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


def _libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect(_libpq_url(POSTGRES_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(_libpq_url(POSTGRES_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
