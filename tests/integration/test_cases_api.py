"""Cases over the API: booking, changes, transitions, versions, the trail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.cases import book, booking, publish_example
from tests.support.state import snapshot
from tests.support.world import World


@pytest.fixture
def cases(world: World) -> World:
    publish_example(world)
    return world


def test_booking_gives_a_numbered_case_pinned_to_the_current_version(cases: World) -> None:
    case = book(cases)
    assert case["number"].startswith("INST-") and case["number"].endswith("-00001")
    assert (case["status"], case["version"], case["definition_version"]) == ("booked", 1, 1)
    assert case["assignee"] == "technician@alpha.test"
    assert case["owner"] == "coordinator"
    assert [t["id"] for t in case["allowed_transitions"]] == ["schedule", "cancel"]
    resp = cases.api("viewer").get(f"/api/v1/cases/{case['id']}")
    assert resp.status_code == 200 and resp.headers["ETag"] == '"1"'
    assert book(cases)["number"].endswith("-00002")


def test_the_assignee_is_found_by_email_as_typed_or_left_out(cases: World) -> None:
    """The version and the assignee are read in one statement; the email is matched
    trimmed and in any case, and a booking without one reads the version alone."""
    typed = book(cases, assignee="  Technician@ALPHA.test ")
    assert typed["assignee"] == "technician@alpha.test"
    unassigned = book(cases, assignee=None)
    assert unassigned["assignee"] is None and unassigned["definition_version"] == 1


def test_booking_without_a_published_version_is_a_conflict(world: World) -> None:
    resp = world.api("coordinator").post("/api/v1/cases", json=booking(world))
    problem = assert_problem(resp, 409)
    assert "published" in problem["detail"]


@pytest.mark.parametrize(("change", "path"), [
    ({"case_type": "teleportation"}, "/case_type"),
    ({"title": ""}, "/title"),
    ({"customer": {"email": "x@y.test"}}, ""),
    ({"customer": {"name": "A", "shoe_size": 42}}, "/customer"),
    ({"customer": {"name": "A", "peppol_id": "not-a-peppol-id"}}, "/customer/peppol_id"),
    ({"scheduled_start": "tomorrow"}, "/scheduled_start"),
    ({"scheduled_start": "2026-11-26T08:00:00"}, "/scheduled_start"),
    ({"scheduled_end": "2026-11-25T08:00:00+01:00"}, "/scheduled_end"),
    ({"assignee": "coordinator@alpha.test"}, "/assignee"),
    ({"assignee": "technician@bravo.test"}, "/assignee"),
    ({"assignee": "nobody@alpha.test"}, "/assignee"),
    ({"fields": {"no_such_field": "x"}}, "/fields"),
    ({"unexpected": 1}, ""),
])
def test_bad_bookings_are_422_and_store_nothing(cases: World, change: dict[str, Any],
                                                path: str) -> None:
    before = snapshot(cases.app)
    body = booking(cases)
    body.update(change)
    if "customer" in change and path == "":
        body["customer"] = change["customer"]
    problem = assert_problem(cases.api("coordinator").post("/api/v1/cases", json=body), 422)
    assert any(e["path"].startswith(path) for e in problem["errors"]), problem["errors"]
    assert snapshot(cases.app) == before


@pytest.mark.parametrize("role", ["technician", "viewer"])
def test_only_coordinators_and_admins_book(cases: World, role: str) -> None:
    before = snapshot(cases.app)
    assert_problem(cases.api(role).post("/api/v1/cases", json=booking(cases)), 403)
    assert snapshot(cases.app) == before


def test_transition_then_refusal_lists_every_unmet_requirement(cases: World) -> None:
    case = book(cases, assignee=None, scheduled_start=None, scheduled_end=None)
    before = snapshot(cases.app)
    resp = cases.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                         json={"transition": "schedule"})
    problem = assert_problem(resp, 409)
    assert {u["name"] for u in problem["unmet"]} == {"assignee", "scheduled_start"}
    assert snapshot(cases.app) == before


def test_a_case_moves_and_its_trail_records_each_step(cases: World) -> None:
    case = book(cases)
    coordinator, tech = cases.api("coordinator"), cases.api("technician")
    moved = coordinator.post(f"/api/v1/cases/{case['id']}/transitions",
                             json={"transition": "schedule", "comment": "Tuesday works"})
    assert moved.status_code == 200 and moved.json["status"] == "scheduled"
    assert moved.json["version"] == 2 and moved.headers["ETag"] == '"2"'
    started = tech.post(f"/api/v1/cases/{case['id']}/transitions", json={"transition": "start"})
    assert started.json["status"] == "in_progress" and started.json["owner"] == "assignee"
    blocked = {t["id"]: t["unmet"] for t in started.json["blocked_transitions"]}
    assert {u["name"] for u in blocked["complete"]} >= {"installation_report"}
    events = cases.api("viewer").get(f"/api/v1/cases/{case['id']}/events").json["items"]
    assert [(e["seq"], e["action"], e["actor"]) for e in events] == [
        (1, "booked", "coordinator@alpha.test"),
        (2, "transition:schedule", "coordinator@alpha.test"),
        (3, "transition:start", "technician@alpha.test")]
    assert events[1]["before"] == {"status": "booked"} and events[1]["comment"] == "Tuesday works"
    assert all(len(e["hash"]) == 64 for e in events)


def test_unknown_transition_is_422(cases: World) -> None:
    case = book(cases)
    resp = cases.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                         json={"transition": "teleport"})
    assert_problem(resp, 422)


def test_another_technician_cannot_start_a_colleagues_job(cases: World) -> None:
    from workorders.platform.services.accounts import create_token, create_user

    with cases.app.app_context():
        create_user("alpha", "other@alpha.test", ["technician"])
        _, token = create_token("alpha", "other@alpha.test")
    case = book(cases)
    cases.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})
    other = cases.api("technician")
    other.token = token
    problem = assert_problem(other.post(f"/api/v1/cases/{case['id']}/transitions",
                                        json={"transition": "start"}), 409)
    assert problem["unmet"][0]["kind"] == "assignee"


def test_patch_changes_booking_data_with_before_and_after(cases: World) -> None:
    case = book(cases)
    resp = cases.api("coordinator").patch(
        f"/api/v1/cases/{case['id']}", json={"title": "Install and commission", "assignee": None},
        headers={"If-Match": '"1"'})
    assert resp.status_code == 200, resp.json
    assert (resp.json["title"], resp.json["assignee"], resp.json["version"]) == (
        "Install and commission", None, 2)
    last = cases.api().get(f"/api/v1/cases/{case['id']}/events").json["items"][-1]
    assert last["action"] == "updated"
    assert last["before"] == {"title": "Install F2120 heat pump",
                              "assignee": "technician@alpha.test"}
    assert last["after"] == {"title": "Install and commission", "assignee": None}


def test_stale_if_match_is_412_and_changes_nothing(cases: World) -> None:
    case = book(cases)
    api = cases.api("coordinator")
    api.patch(f"/api/v1/cases/{case['id']}", json={"title": "First edit"})
    before = snapshot(cases.app)
    for method, path, body in (
            ("PATCH", "", {"title": "Second edit"}),
            ("POST", "/transitions", {"transition": "schedule"})):
        resp = api.open(f"/api/v1/cases/{case['id']}{path}", method=method, json=body,
                        headers={"If-Match": '"1"'})
        assert_problem(resp, 412)
    assert snapshot(cases.app) == before


def test_filters_and_cursor_pagination(cases: World) -> None:
    ids = [book(cases, title=f"Job {n}")["id"] for n in range(5)]
    cases.api("coordinator").post(f"/api/v1/cases/{ids[0]}/transitions",
                                  json={"transition": "schedule"})
    api = cases.api("viewer")
    first = api.get("/api/v1/cases?limit=2").json
    assert [c["id"] for c in first["items"]] == [ids[4], ids[3]] and first["next_cursor"]
    second = api.get(f"/api/v1/cases?limit=2&cursor={first['next_cursor']}").json
    assert [c["id"] for c in second["items"]] == [ids[2], ids[1]]
    assert [c["id"] for c in api.get("/api/v1/cases?status=scheduled").json["items"]] == [ids[0]]
    assert len(api.get("/api/v1/cases?q=Job 3").json["items"]) == 1
    assert len(api.get("/api/v1/cases?assignee=technician@alpha.test").json["items"]) == 5
    mine = cases.api("technician").get("/api/v1/cases?owner=me").json["items"]
    assert [c["id"] for c in mine] == [ids[0]]  # scheduled: the assignee's turn
    assert len(api.get("/api/v1/cases?owner=coordinator").json["items"]) == 4
    assert api.get("/api/v1/cases?invoice_ready=true").json["items"] == []
    assert_problem(api.get("/api/v1/cases?limit=0"), 422)
    assert_problem(api.get("/api/v1/cases?cursor=garbage!"), 422)


def test_idempotency_key_replays_the_first_answer(cases: World) -> None:
    api = cases.api("coordinator")
    key = {"Idempotency-Key": "booking-42"}
    first = api.post("/api/v1/cases", json=booking(cases), headers=key)
    again = api.post("/api/v1/cases", json=booking(cases), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    before = snapshot(cases.app)
    other = api.post("/api/v1/cases", json=booking(cases, title="Different"), headers=key)
    assert_problem(other, 409)
    assert snapshot(cases.app) == before
    assert len(api.get("/api/v1/cases").json["items"]) == 1


def test_idempotency_replays_errors_too(cases: World) -> None:
    api = cases.api("coordinator")
    bad = booking(cases, case_type="nope")
    key = {"Idempotency-Key": "bad-1"}
    first, again = (api.post("/api/v1/cases", json=bad, headers=key) for _ in range(2))
    assert first.status_code == again.status_code == 422
    assert first.json == again.json


def test_audit_verify_names_a_tampered_case_event(cases: World, clean_database: str) -> None:
    from sqlalchemy import text

    from tests.support.processes import command_env, run_workorders
    from workorders.platform.extensions import db

    case = book(cases)
    cases.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})
    env = command_env(clean_database, cases.app.extensions["workorders.settings"].instance_dir)
    ok = run_workorders(["audit", "verify", "--tenant", "alpha"], env)
    assert ok.returncode == 0 and "2 events checked, 0 broken" in ok.stdout
    with cases.app.app_context():
        db.session.execute(text("UPDATE audit_events SET after = :a WHERE seq = 2"),
                           {"a": '{"status": "invoiced"}'})
        db.session.commit()
    broken = run_workorders(["audit", "verify"], env)
    assert broken.returncode == 1
    assert f"BROKEN case {case['id']} at event #2" in broken.stdout
