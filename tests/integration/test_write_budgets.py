"""Statement budgets of the write path (issue 17): a booking, a final report, a
correction and a transition over the API each send at most so many SQL statements,
in one transaction, and every read of a tenant's rows names the tenant.

A regression guard, not a timing: when a change makes one of these routes send
more statements (an N+1, a reload, a second transaction), its test fails and names
the count and the statements. The budgets are today's counts; lowering one changes
the number here in the same commit. ``docs/performance.md`` lists what each
statement of a booking is for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import booking, publish_example
from tests.support.exports import drain
from tests.support.web import engine_listener, statements
from tests.support.world import World

#: database -> route -> the most SQL statements it may send. SQLite's counts hold its
#: BEGIN statements (its driver sends none of its own); PostgreSQL's BEGIN and COMMIT
#: go through the driver and are counted apart, as transactions (one per request).
BUDGETS = {"sqlite": {"book": 9, "submit": 20, "correct": 21, "transition": 16},
           "postgresql+psycopg": {"book": 6, "submit": 15, "correct": 17, "transition": 11}}
#: tables whose rows belong to a tenant: a read of them must say whose
TENANT_TABLES = ("cases", "case_exceptions", "approvals", "invoice_blocks", "submissions",
                 "attachments", "audit_events", "notifications")


@contextmanager
def commits(world: World) -> Iterator[list[int]]:
    seen: list[int] = []

    def count(*_args: Any) -> None:
        seen.append(1)

    with engine_listener(world.app, "commit", count):
        yield seen


@contextmanager
def uncacheable(world: World) -> Iterator[list[str]]:
    """The statements SQLAlchemy has no cache key for: it compiles those on every
    execution (an INSERT inside a SELECT's WITH did; compiling cost more than the
    round trip the statement saved)."""
    from sqlalchemy.engine.default import NO_CACHE_KEY

    found: list[str] = []

    def check(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
              _many: bool) -> None:
        if context is not None and context.compiled is not None \
                and context.cache_hit is NO_CACHE_KEY:  # not driver SQL (SQLite BEGIN)
            found.append(" ".join(statement.split())[:120])

    with engine_listener(world.app, "after_cursor_execute", check):
        yield found


def _count(world: World, call: Any) -> tuple[list[str], int, Any]:
    """The statements and commits of the request itself. The jobs it writes (a
    message, an export) are held while it runs, as rq holds them for a worker in
    production, and run afterwards, outside the count."""
    dispatcher = world.app.extensions["workorders.dispatcher"]
    held: list[int] = []
    dispatcher.dispatch = held.extend
    try:
        with statements(world.app) as seen, commits(world) as committed, \
                uncacheable(world) as compiled_each_time:
            resp = call()
    finally:
        del dispatcher.dispatch
    drain(world.app)
    assert not compiled_each_time, compiled_each_time
    return list(seen), len(committed), resp


def _reads_without_tenant(seen: list[str]) -> list[str]:
    """SELECTs from a tenant's table whose WHERE does not name that table's tenant."""
    found = []
    for sql in seen:
        flat = " ".join(sql.split())
        match = re.match(r"SELECT .*? FROM (\w+)", flat)
        if not match or match.group(1) not in TENANT_TABLES:
            continue
        table = match.group(1)
        where = flat.split(" WHERE ", 1)[1] if " WHERE " in flat else ""
        if f"{table}.tenant_id" not in where:
            found.append(flat[:200])
    return found


@pytest.fixture
def started(world: World) -> tuple[World, dict[str, Any], str, str]:
    publish_example(world)
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    signature = upload(world, case["id"], png_bytes(), name="signature.png").json["id"]
    return world, case, photo, signature


def test_the_write_paths_stay_within_their_statement_budgets(
        started: tuple[World, dict[str, Any], str, str]) -> None:
    world, case, photo, signature = started
    runs: dict[str, tuple[list[str], int]] = {}
    seen, committed, resp = _count(world, lambda: world.api("coordinator").post(
        "/api/v1/cases", json=booking(world)))
    assert resp.status_code == 201
    runs["book"] = seen, committed
    seen, committed, resp = _count(world, lambda: world.api("technician").post(
        f"/api/v1/cases/{case['id']}/submissions",
        json={"form": "installation_report", "data": report(photo, hours="16")}))
    assert resp.status_code == 201, resp.json
    assert resp.json["evaluation"]["exceptions_opened"]  # the rules ran and wrote
    runs["submit"] = seen, committed
    final = resp.json["submission"]["id"]
    seen, committed, resp = _count(world, lambda: world.api("coordinator").post(
        f"/api/v1/submissions/{final}/corrections",
        json={"data": report(photo, signature, hours="16"), "reason": "Signed on paper"}))
    assert resp.status_code == 201, resp.json
    runs["correct"] = seen, committed
    other = world.api("coordinator").post("/api/v1/cases", json=booking(world)).json
    seen, committed, resp = _count(world, lambda: world.api("coordinator").post(
        f"/api/v1/cases/{other['id']}/transitions", json={"transition": "schedule"}))
    assert resp.status_code == 200, resp.json
    runs["transition"] = seen, committed

    dialect = world.app.extensions["workorders.settings"].database_url.split(":")[0]
    over = {route: f"{len(runs[route][0])} statements, budget {budget}: "
                   + " | ".join(s.split(" FROM ")[0][:60] for s in runs[route][0])
            for route, budget in BUDGETS[dialect].items() if len(runs[route][0]) > budget}
    assert not over, over
    # a message's row is inserted with its job's id, never updated in the same request
    assert not [s for s in runs["submit"][0] if s.lstrip().startswith("UPDATE notifications")]
    assert any(s.lstrip().startswith("INSERT INTO notifications") for s in runs["submit"][0])
    untenanted = {route: _reads_without_tenant(seen) for route, (seen, _) in runs.items()}
    assert not any(untenanted.values()), untenanted
    # the actor is read in one statement, and the request's read and write are one
    # transaction on PostgreSQL (SQLite ends the read to take its write lock)
    for route, (seen, committed) in runs.items():
        assert sum("api_tokens" in s for s in seen) == 1, route
        assert committed <= (1 if dialect.startswith("postgresql") else 2), (route, committed)
