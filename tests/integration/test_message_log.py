"""The message log (issue 16): a failing SMS gateway is retried, then dead and visible
on the case page, the admin's log and the API; a person sends it again once the
gateway is back; only admins and coordinators of the tenant may."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_notifications_flow import messages, move, publish_with
from tests.support.cases import book
from tests.support.exports import drain, running_receiver
from tests.support.processes import free_port
from tests.support.web import login, text_of, words_of
from tests.support.world import World

PHONE = "+46701234567"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _gateway(url: str) -> str:
    return (f"  sms: {{provider: generic, url: \"{url}/sms\", sender: Nordvarme, "
            "body: '{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\"}'}\n")


def _dead_sms(world: World) -> tuple[dict[str, Any], int]:
    """A case whose 'on the way' text message gave up: the gateway is not there."""
    publish_with(world, _gateway(f"http://127.0.0.1:{free_port()}"))
    case = book(world)
    move(world, case["id"], "schedule")
    move(world, case["id"], "start", role="technician")
    drain(world.app)
    rows = world.api("coordinator").get(f"/api/v1/cases/{case['id']}/notifications?channel=sms")
    [row] = rows.json["items"]
    return case, int(row["id"])


def test_a_failing_gateway_is_retried_then_dead_and_visible(world: World) -> None:
    case, message_id = _dead_sms(world)
    row = world.api("coordinator").get("/api/v1/notifications?status=dead").json["items"]
    assert [r["id"] for r in row] == [message_id]
    assert row[0]["attempts"] == 6 and row[0]["status_words"] == "Gave up"
    assert "the SMS gateway did not take the message" in row[0]["error"]
    client = login(world, "coordinator")
    page = words_of(client.get(f"/cases/{case['id']}"))
    assert "Text message to Lena Berg +46 70 123 45 67" in page and "Gave up" in page
    assert f'data-testid="retry-message-{message_id}"' in text_of(
        client.get(f"/cases/{case['id']}"))
    admin = words_of(login(world, "admin").get("/admin/messages?status=dead"))
    assert "Gave up: 1" in admin and "the SMS gateway did not take the message" in admin
    assert "Message log 1 gave up or held back" in words_of(login(world, "admin").get("/admin"))


def test_sending_again_once_the_gateway_is_back(world: World) -> None:
    case, message_id = _dead_sms(world)
    with running_receiver() as receiver:
        publish_with(world, _gateway(receiver.url))
        resp = world.api("coordinator").post(f"/api/v1/notifications/{message_id}/retry")
        assert resp.status_code == 202 and resp.json["status"] in ("queued", "sent")
        drain(world.app)
        [post] = receiver.posts
    assert post["headers"]["Idempotency-Key"] == f"notification-{message_id}"
    assert PHONE in post["body"].decode()
    assert [m[4] for m in messages(world, case["id"]) if m[2] == "sms"] == ["sent"]
    again = world.api("coordinator").post(f"/api/v1/notifications/{message_id}/retry")
    assert_problem(again, 409)
    page = words_of(login(world, "coordinator").get(f"/cases/{case['id']}"))
    assert "Sent a message to Lena Berg again (Text message)" in page


def test_the_page_sends_again_too(world: World) -> None:
    case, message_id = _dead_sms(world)
    client = login(world, "coordinator")
    resp = client.post(f"/messages/{message_id}/retry",
                       data={"back": f"/cases/{case['id']}"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/cases/{case['id']}")
    row = world.api("coordinator").get(f"/api/v1/cases/{case['id']}/notifications").json
    # queued again with fresh attempts; the first one fails at once (still no gateway)
    assert [r["status"] for r in row["items"] if r["id"] == message_id] == ["failed"]


def test_who_may_see_and_retry(world: World) -> None:
    case, message_id = _dead_sms(world)
    assert_problem(world.api("technician").post(f"/api/v1/notifications/{message_id}/retry"),
                   403)
    assert_problem(world.api("technician").get("/api/v1/notifications"), 403)
    assert login(world, "technician").post(f"/messages/{message_id}/retry").status_code == 403
    assert 'data-testid="case-messages"' not in text_of(
        login(world, "technician").get(f"/cases/{case['id']}"))
    assert_problem(world.api("coordinator", "b").post(
        f"/api/v1/notifications/{message_id}/retry"), 404)
    assert world.api("coordinator", "b").get("/api/v1/notifications").json["items"] == []
    assert_problem(world.api("coordinator", "b").get(
        f"/api/v1/cases/{case['id']}/notifications"), 404)
    assert_problem(world.api("coordinator").get("/api/v1/notifications?status=lost"), 422)
    assert_problem(world.api("coordinator").post("/api/v1/notifications/999999/retry"), 404)
