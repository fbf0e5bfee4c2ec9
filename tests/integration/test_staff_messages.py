"""Issue 16: the bell, a person's in-app messages, and their message settings, on
the page and the API alike; nobody sees another person's or tenant's messages."""

from __future__ import annotations

import re

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_notifications_flow import messages, move
from tests.support.cases import book, publish_example
from tests.support.state import snapshot
from tests.support.web import login, text_of, words_of
from tests.support.world import World


def _scheduled(world: World) -> dict[str, object]:
    case = book(world)
    move(world, case["id"], "schedule")
    return case


def _bell(page: str) -> str:
    found = re.search(r'data-testid="nav-messages" aria-label="([^"]+)"', page)
    assert found, "no bell"
    return found.group(1)


def test_a_scheduled_job_rings_the_technicians_bell_until_read(world: World) -> None:
    publish_example(world)
    tech = login(world, "technician")
    assert _bell(text_of(tech.get("/my"))) == "Messages"
    case = _scheduled(world)
    page = text_of(tech.get("/my"))
    assert _bell(page) == "Messages, 1 unread"
    inbox = words_of(tech.get("/messages"))
    assert f"New {case['number']}: ett jobb till dig" in inbox  # the tenant's Swedish
    assert "Jobbet " + str(case["number"]) + " hos Lena Berg väntar på dig" in inbox
    [message_id] = re.findall(r'/messages/(\d+)/open', text_of(tech.get("/messages")))
    opened = tech.post(f"/messages/{message_id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        f"/cases/{case['id']}")
    assert _bell(text_of(tech.get("/my"))) == "Messages"
    # the coordinator who scheduled it is not told about their own act, nor the other tenant
    assert _bell(text_of(login(world, "coordinator").get("/"))) == "Messages"
    assert _bell(text_of(login(world, "technician", tenant="b").get("/my"))) == "Messages"


def test_the_api_lists_and_reads_alike_and_refuses_bad_input(world: World) -> None:
    publish_example(world)
    _scheduled(world)
    _scheduled(world)
    api = world.api("technician")
    listed = api.get("/api/v1/me/messages").json
    assert listed["unread"] == 2 and len(listed["items"]) == 2
    first = listed["items"][0]["id"]
    before = snapshot(world.app)
    for bad in ({}, {"ids": "all"}, {"ids": [0]}, {"all": False}, {"ids": [1], "all": True}):
        assert_problem(api.post("/api/v1/me/messages/read", json=bad), 422)
    assert snapshot(world.app) == before
    other = world.api("technician", "b").post("/api/v1/me/messages/read", json={"ids": [first]})
    assert other.status_code == 200 and other.json["marked"] == 0
    done = api.post("/api/v1/me/messages/read", json={"ids": [first]})
    assert done.json == {"marked": 1, "unread": 1}
    assert api.post("/api/v1/me/messages/read", json={"all": True}).json == {
        "marked": 1, "unread": 0}


def test_settings_choose_what_the_next_message_is_sent_as(world: World) -> None:
    publish_example(world)
    tech_email = world.a.emails["technician"]
    api = world.api("technician")
    assert [(s["kind"], s["email"], s["in_app"]) for s in
            api.get("/api/v1/me/message-settings").json["items"]] == [
        ("assigned", True, True), ("team", True, True), ("rules", True, True)]
    saved = api.put("/api/v1/me/message-settings", json={"assigned": {"email": False}})
    assert saved.status_code == 200
    case = _scheduled(world)
    assert [m[2] for m in messages(world, case["id"]) if m[3] == tech_email] == ["in_app"]
    # the page saves the same settings: email only
    client = login(world, "technician")
    client.post("/messages/settings", data={"assigned-email": "on"})
    later = _scheduled(world)
    assert [m[2] for m in messages(world, later["id"]) if m[3] == tech_email] == ["email"]
    before = snapshot(world.app)
    for bad in ({"sometimes": {"email": True}}, {"assigned": {"email": "yes"}},
                {"assigned": {"sms": True}}):
        assert_problem(api.put("/api/v1/me/message-settings", json=bad), 422)
    assert snapshot(world.app) == before
