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


def _retried_events(world: World) -> int:
    from sqlalchemy import func, select

    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with world.app.app_context():
        return int(db.session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "notification.retried")).scalar_one())


def test_sending_a_sent_message_again_is_refused_and_changes_nothing(world: World) -> None:
    publish_with(world, "")
    case = book(world)
    move(world, case["id"], "schedule")
    items = world.api("coordinator").get(
        f"/api/v1/cases/{case['id']}/notifications?status=sent").json["items"]
    assert items, "scheduling sends at least one message"
    before = items[0]
    resp = world.api("coordinator").post(f"/api/v1/notifications/{before['id']}/retry")
    assert_problem(resp, 409)
    assert "this message is sent" in resp.json["detail"]
    after = world.api("coordinator").get(
        f"/api/v1/cases/{case['id']}/notifications").json["items"]
    assert [r for r in after if r["id"] == before["id"]] == [before]
    assert _retried_events(world) == 0
    client = login(world, "coordinator")
    client.post(f"/messages/{before['id']}/retry")
    assert "Nothing was sent: this message is sent" in words_of(client.get("/admin/messages"))


def test_a_throttled_message_sent_again_faces_the_limit_again(world: World) -> None:
    from tests.integration.test_notify_throttle import notify

    publish_with(world, "")
    case_id = int(book(world)["id"])
    ids = [notify(world, case_id, n, ["user:lena@example.test"])[0] for n in range(1, 12)]
    held = world.api("coordinator").get("/api/v1/notifications?status=throttled").json
    assert [r["id"] for r in held["items"]] == [ids[10]]
    resp = world.api("coordinator").post(f"/api/v1/notifications/{ids[10]}/retry")
    assert resp.status_code == 202
    drain(world.app)
    [row] = [r for r in world.api("coordinator").get("/api/v1/notifications").json["items"]
             if r["id"] == ids[10]]
    # the ten of the last hour still count: held back again, saying why
    assert row["status"] == "throttled"
    assert row["error"] == ("Not sent: 10 messages already went to this recipient in the "
                            "last hour, and the limit is 10 an hour.")
    assert _retried_events(world) == 1


def test_the_log_filters_by_day(world: World) -> None:
    _case, message_id = _dead_sms(world)
    api = world.api("coordinator")

    def ids(query: str) -> list[int]:
        resp = api.get(f"/api/v1/notifications?channel=sms&{query}")
        assert resp.status_code == 200, resp.json
        return [r["id"] for r in resp.json["items"]]

    assert ids("from=2000-01-01&to=2999-12-31") == [message_id]
    assert ids("from=2999-01-01") == [] and ids("to=2000-01-01") == []
    bad = api.get("/api/v1/notifications?from=2026-02-30")
    assert_problem(bad, 422)
    assert "From “2026-02-30” is not a date" in bad.json["detail"]
    assert_problem(api.get("/api/v1/notifications?from=2026-12-03&to=2026-12-01"), 422)
    client = login(world, "admin")
    page = client.get("/admin/messages?from=2999-01-01")
    assert page.status_code == 200 and "No messages like that." in words_of(page)
    wrong = client.get("/admin/messages?to=soon")
    assert wrong.status_code == 400
    assert "To “soon” is not a date; use a date like 2026-12-03." in words_of(wrong)


def test_every_message_that_gave_up_is_sent_again_at_once(world: World) -> None:
    case, _message_id = _dead_sms(world)
    assert_problem(world.api("technician").post("/api/v1/notifications/retry-dead"), 403)
    assert login(world, "technician").post("/admin/messages/retry-dead").status_code == 403
    assert world.api("coordinator", "b").post(
        "/api/v1/notifications/retry-dead").json == {"sent_again": 0, "left": 0}
    admin = login(world, "admin")
    assert 'data-testid="retry-dead"' in text_of(admin.get("/admin/messages"))
    with running_receiver() as receiver:
        publish_with(world, _gateway(receiver.url))
        resp = admin.post("/admin/messages/retry-dead")
        assert resp.status_code == 302
        drain(world.app)
        assert len(receiver.posts) == 1
    page = admin.get("/admin/messages")
    assert "1 message is queued again." in words_of(page)
    assert 'data-testid="retry-dead"' not in text_of(page)
    assert [m[4] for m in messages(world, case["id"]) if m[2] == "sms"] == ["sent"]
    assert _retried_events(world) == 1
    again = world.api("coordinator").post("/api/v1/notifications/retry-dead")
    assert again.json == {"sent_again": 0, "left": 0}
