"""The message log's Send again in a real browser (issue 16), against the demo, on a
desktop and on a phone: the tenant's SMS gateway points somewhere deliveries may
not go, so the customer's "on the way" text gives up at once; an operator puts the
gateway back (the demo's outbox), and the admin sends the text again from the log,
which then says Sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import (
    LENA,
    DemoApi,
    book_by_api,
    demo_cli,
    demo_token,
    sideways_overflow,
    signed_in_page,
)
from tests.support.processes import ROOT

#: a gateway on the loopback: the demo's outbound policy refuses it, so no retry helps
BROKEN_GATEWAY = ("  sms: {provider: generic, url: \"http://127.0.0.1:9/sms\", "
                  "sender: Nordvarme, body: '{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\"}'}\n")


def _publish(server: DemoServer, tmp: Path, name: str, gateway: str) -> None:
    """Publish the demo's bundle with ``gateway`` (YAML under ``notifications:``)
    the operator's way."""
    from workorders.platform.demo_bundles import demo_edition

    file = "nordvarme-heatpumps.yaml"
    source = demo_edition((ROOT / "definitions" / file).read_bytes(), file).decode("utf-8")
    marker = "\nnotifications:\n"
    assert marker in source
    path = tmp / name
    path.write_text(source.replace(marker, marker + gateway, 1), encoding="utf-8")
    demo_cli(server, "definitions", "publish", str(path), "--tenant", "nordvarme",
             "--comment", name)


def _sms(office: DemoApi, case_id: int, want: str) -> dict[str, Any]:
    """The case's text message once its status is ``want`` (the demo delivers in
    the background)."""
    from time import monotonic, sleep

    deadline = monotonic() + 20
    rows: list[dict[str, Any]] = []
    while monotonic() < deadline:
        _, body = office.call("GET", f"/api/v1/cases/{case_id}/notifications?channel=sms")
        rows = body["items"]
        if rows and rows[0]["status"] == want:
            return dict(rows[0])
        sleep(0.25)
    raise AssertionError(f"the text message never became {want}: {rows}")


def _dead_text(server: DemoServer, office: DemoApi, tech: DemoApi, tech_email: str,
               title: str) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    case = book_by_api(office, title, start, start + timedelta(hours=2), assignee=tech_email,
                       customer={**LENA, "phone": "+46701234567"}, schedule=True)
    status, moved = tech.call("POST", f"/api/v1/cases/{case['id']}/transitions",
                              {"transition": "start"})
    assert status == 200, moved
    return _sms(office, int(case["id"]), "dead")


def test_the_admin_sends_a_text_that_gave_up_again(demo_server: DemoServer, browser: Any,
                                                   tmp_path: Path) -> None:
    office = DemoApi(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech_email = demo_server.logins["technician"][0]
    tech = DemoApi(demo_server.url, demo_token(demo_server, tech_email))
    _publish(demo_server, tmp_path, "broken-gateway.yaml", BROKEN_GATEWAY)
    dead = [_dead_text(demo_server, office, tech, tech_email, f"Gateway test {n}")
            for n in (1, 2)]
    assert "loopback" in dead[0]["error"]
    _publish(demo_server, tmp_path, "outbox-again.yaml", "")
    admin_email = demo_server.logins["admin"][0]
    for message, phone in zip(dead, (False, True), strict=True):
        with signed_in_page(browser, demo_server, admin_email, phone=phone) as page:
            page.goto(demo_server.url + "/admin")
            page.click("[data-testid=admin-card-messages]")
            page.wait_for_selector("h1:has-text('Message log')")
            page.select_option("#f-status", "dead")
            page.click("form[role=search] button[type=submit]")
            page.wait_for_url("**status=dead**")
            row = page.locator(f"[data-testid=message-{message['id']}]")
            assert "Gave up" in row.inner_text() and "loopback" in row.inner_text()
            button = row.locator(f"[data-testid=retry-message-{message['id']}]")
            box = button.bounding_box()
            assert box is not None and box["height"] >= 44
            if phone:
                assert sideways_overflow(page) == []
            button.click()
            page.wait_for_selector("text=The message to Lena Berg is queued again.")
            _sms(office, int(message["case_id"]), "sent")
            page.goto(demo_server.url + "/admin/messages?channel=sms")
            status = page.locator(f"[data-testid=message-{message['id']}] "
                                  "[data-testid=message-status]")
            assert status.inner_text() == "Sent"
