"""Concurrent writers on real databases (threads, each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.cases import book, booking, publish_example
from tests.support.world import World


@pytest.fixture
def cases(world: World) -> World:
    publish_example(world)
    return world


def run_together(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Start ``n`` calls at the same instant (a barrier) and collect their results."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_transitions_at_once_exactly_one_wins(cases: World) -> None:
    case = book(cases)
    url = f"/api/v1/cases/{case['id']}/transitions"
    statuses = run_together(2, lambda i: cases.api("coordinator").post(
        url, json={"transition": "schedule"}).status_code)
    assert sorted(statuses) == [200, 409]
    final = cases.api().get(f"/api/v1/cases/{case['id']}").json
    assert (final["status"], final["version"]) == ("scheduled", 2)
    events = cases.api().get(f"/api/v1/cases/{case['id']}/events").json["items"]
    assert [e["action"] for e in events] == ["booked", "transition:schedule"]


def test_concurrent_edits_with_the_same_if_match_one_gets_412(cases: World) -> None:
    case = book(cases)
    url = f"/api/v1/cases/{case['id']}"
    statuses = run_together(4, lambda i: cases.api("coordinator").patch(
        url, json={"title": f"Edit {i}"}, headers={"If-Match": '"1"'}).status_code)
    assert sorted(statuses) == [200, 412, 412, 412]
    assert cases.api().get(url).json["version"] == 2


def test_case_numbers_stay_gap_free_under_concurrent_booking(cases: World) -> None:
    results = run_together(8, lambda i: cases.api("coordinator").post(
        "/api/v1/cases", json=booking(cases, title=f"Parallel {i}")).json)
    numbers = sorted(int(r["number"].rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, 9))


def test_twenty_identical_requests_with_one_key_create_one_case(cases: World) -> None:
    body = booking(cases)
    results = run_together(20, lambda i: cases.api("coordinator").post(
        "/api/v1/cases", json=body, headers={"Idempotency-Key": "same-everywhere"}))
    assert {r.status_code for r in results} == {201}
    assert len({r.json["id"] for r in results}) == 1
    assert len(cases.api().get("/api/v1/cases").json["items"]) == 1


def test_twenty_identical_submissions_with_one_key_store_one(cases: World) -> None:
    from tests.support.capture import jpeg_bytes, report, started_case, upload

    case = started_case(cases)
    photo = upload(cases, case["id"], jpeg_bytes()).json["id"]
    url = f"/api/v1/cases/{case['id']}/submissions"
    body = {"form": "installation_report", "data": report(photo)}
    results = run_together(20, lambda i: cases.api("technician").post(
        url, json=body, headers={"Idempotency-Key": "flaky-phone"}))
    assert {r.status_code for r in results} == {201}
    assert len({r.json["submission"]["id"] for r in results}) == 1
    assert len(cases.api().get(url).json["items"]) == 1
