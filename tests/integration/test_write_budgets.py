"""Statement budgets of the write path (issue 17): a booking, a final report, a
correction and a transition over the API each send at most so many SQL statements.

A regression guard, not a timing: when a change makes one of these routes send
more statements (an N+1, a reload, a second transaction), its test fails and names
the count. The budgets are today's counts; issue 17 lowers them (POST /cases to 8),
and each lowering changes the number here in the same commit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import booking, publish_example
from tests.support.exports import drain
from tests.support.web import statements
from tests.support.world import World

#: database -> route -> the most SQL statements it may send (PostgreSQL takes the
#: row locks SQLite does without, and SQLite begins its writes with its own statement)
BUDGETS = {"sqlite": {"book": 32, "submit": 46, "correct": 41, "transition": 43},
           "postgresql+psycopg": {"book": 28, "submit": 42, "correct": 37, "transition": 39}}


def _count(world: World, call: Any) -> tuple[int, Any]:
    """The statements of the request itself. The jobs it writes (a message, an
    export) are held while it runs, as rq holds them for a worker in production,
    and run afterwards, outside the count."""
    dispatcher = world.app.extensions["workorders.dispatcher"]
    held: list[int] = []
    dispatcher.dispatch = held.extend
    try:
        with statements(world.app) as seen:
            resp = call()
    finally:
        del dispatcher.dispatch
    drain(world.app)
    return len(seen), resp


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
    counts: dict[str, int] = {}
    counts["book"], resp = _count(world, lambda: world.api("coordinator").post(
        "/api/v1/cases", json=booking(world)))
    assert resp.status_code == 201
    counts["submit"], resp = _count(world, lambda: world.api("technician").post(
        f"/api/v1/cases/{case['id']}/submissions",
        json={"form": "installation_report", "data": report(photo, hours="16")}))
    assert resp.status_code == 201, resp.json
    final = resp.json["submission"]["id"]
    counts["correct"], resp = _count(world, lambda: world.api("coordinator").post(
        f"/api/v1/submissions/{final}/corrections",
        json={"data": report(photo, signature, hours="16"), "reason": "Signed on paper"}))
    assert resp.status_code == 201, resp.json
    other = world.api("coordinator").post("/api/v1/cases", json=booking(world)).json
    counts["transition"], resp = _count(world, lambda: world.api("coordinator").post(
        f"/api/v1/cases/{other['id']}/transitions", json={"transition": "schedule"}))
    assert resp.status_code == 200, resp.json
    budgets = BUDGETS[world.app.extensions["workorders.settings"].database_url.split(":")[0]]
    over = {route: f"{counts[route]} statements, budget {budget}"
            for route, budget in budgets.items() if counts[route] > budget}
    assert not over, over
