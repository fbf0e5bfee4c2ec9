"""Issue 16: a customer stops status messages through a signed link (never messages
asking them to act), and their status page shows what they were told."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.test_notifications_flow import messages, move, publish_with
from tests.support.capture import unresolved_service_visit
from tests.support.cases import book
from tests.support.state import snapshot
from tests.support.web import text_of, words_of
from tests.support.world import PASSWORD, World

STATUS_EMAIL = """  on_enter:
    scheduled: {template: visit_booked, to: [customer]}
"""
TEMPLATES = """    visit_booked:
      channel: email
      subject: "Ditt besök {{ case.number }}"
      body: "Hej {{ case.customer.name }}! Vi har bokat ditt besök."
"""


def _link(world: World, address: str = "lena@example.test") -> str:
    from workorders.platform.services.customer_links import unsubscribe_link

    with world.app.app_context():
        return "/" + unsubscribe_link(world.a.tenant_id, address).split("/", 3)[3]


def test_get_asks_post_stops_twice_changes_nothing_undo_resumes(world: World) -> None:
    publish_with(world, STATUS_EMAIL, templates=TEMPLATES)
    client = world.app.test_client()
    link = _link(world, "Lena@Example.test")
    before = snapshot(world.app)
    page = words_of(client.get(link))
    assert "Stoppa statusmeddelanden från Alpha" in page and "lena@example.test" in page
    assert snapshot(world.app) == before  # a mail scanner following the link stops nothing
    assert "Klart:" in words_of(client.post(link))
    once = snapshot(world.app)
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert snapshot(world.app) == once  # a second click writes nothing more
    case = book(world)
    move(world, case["id"], "schedule")
    assert [m[4] for m in messages(world, case["id"]) if m[3] == "lena@example.test"] == [
        "opted_out"]
    assert "skickar statusmeddelanden till lena@example.test igen" in words_of(
        client.post(link, data={"undo": "1"}))
    later = book(world)
    move(world, later["id"], "schedule")
    assert [m[4] for m in messages(world, later["id"]) if m[3] == "lena@example.test"] == [
        "sent"]


def test_a_mail_clients_one_click_post_needs_no_csrf_token(world: World,
                                                           app_config: dict[str, Any]) -> None:
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` without any
    form token, on an app that otherwise refuses token-less forms."""
    from workorders.platform import create_app
    from workorders.platform.services.customer_messages import is_opted_out

    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    refused = guarded.post("/login", data={"email": world.a.emails["admin"],
                                           "password": PASSWORD})
    assert refused.status_code != 302  # CSRF is on: a token-less login form is refused
    resp = guarded.post(_link(world), data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200
    with world.app.app_context():
        assert is_opted_out(world.a.tenant_id, "lena@example.test")


def test_a_forged_or_foreign_link_stops_nothing(world: World) -> None:
    publish_with(world, STATUS_EMAIL, templates=TEMPLATES)
    client = world.app.test_client()
    link = _link(world)
    before = snapshot(world.app)
    assert client.post(link[:-3] + "abc").status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert snapshot(world.app) == before
    from workorders.platform.services.customer_links import unsubscribe_link

    with world.app.app_context():  # tenant b's link opts out at tenant b only
        other = "/" + unsubscribe_link(world.b.tenant_id, "lena@example.test").split("/", 3)[3]
    client.post(other)
    case = book(world)
    move(world, case["id"], "schedule")
    assert [m[4] for m in messages(world, case["id"]) if m[3] == "lena@example.test"] == [
        "sent"]


def test_a_link_older_than_a_year_says_so_and_stops_nothing(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 367 * 24 * 3600)
    old = _link(world)  # signed 367 days ago
    monkeypatch.setattr(time, "time", real)
    before = snapshot(world.app)
    for resp in (world.app.test_client().get(old), world.app.test_client().post(old)):
        assert resp.status_code == 404
        assert "this link has expired" in words_of(resp)
    assert snapshot(world.app) == before
    assert world.app.test_client().get(_link(world)).status_code == 200  # a fresh one works


def test_an_opted_out_customer_still_gets_what_asks_them_to_act(world: World) -> None:
    from tests.integration.test_rules_flow import _submit

    publish_with(world, "")
    world.app.test_client().post(_link(world))
    service = book(world, case_type="service", fields={"under_warranty": False})
    move(world, service["id"], "schedule")
    move(world, service["id"], "start", role="technician")
    _submit(world, service["id"], "service_visit", unresolved_service_visit())
    asked = [m for m in messages(world, service["id"]) if m[0].startswith("approval:")]
    assert [(m[2], m[3], m[4]) for m in asked] == [("email", "lena@example.test", "sent")]


def test_the_status_page_shows_what_the_customer_was_told_in_their_language(
        world: World) -> None:
    publish_with(world, STATUS_EMAIL, templates=TEMPLATES)
    case = book(world)
    move(world, case["id"], "schedule")
    move(world, case["id"], "start", role="technician")  # an SMS: "... är på väg"
    from workorders.platform.services.customer_links import status_link

    with world.app.app_context():
        from workorders.platform.extensions import db
        from workorders.platform.models import Case

        link = "/" + status_link(db.session.get(Case, case["id"])).split("/", 3)[3]
    page = world.app.test_client().get(link)
    assert 'lang="sv-SE"' in text_of(page)
    words = words_of(page)
    assert "Det här har vi meddelat dig" in words
    told = re.findall(r'data-testid="public-message"', text_of(page))
    assert len(told) == 2  # the booking email and the on-the-way SMS, not the staff's
    assert f"Ditt besök {case['number']}" in words and "är på väg" in words
    assert "väntar på dig" not in words  # the technician's in-app/email is theirs


def test_opting_out_and_back_in_read_as_sentences_in_the_admin_history(world: World) -> None:
    from tests.support.web import login

    publish_with(world, "")
    link = _link(world)
    world.app.test_client().post(link)
    world.app.test_client().post(link, data={"undo": "1"})
    page = words_of(login(world, "admin").get("/admin/history?kind=messages"))
    assert "lena@example.test stopped status messages" in page
    assert "lena@example.test asked for status messages again" in page


def test_an_english_tenants_status_page_reads_in_english_and_hides_what_failed(
        world: World) -> None:
    """The page's words follow the bundle's locale (en-GB here), times are the
    tenant's zone, and a customer message that never went out is not on it."""
    from datetime import UTC, datetime

    from tests.support.cases import ROOT
    from workorders.platform.extensions import db
    from workorders.platform.models import Case, Notification
    from workorders.platform.services.customer_links import status_link
    from workorders.platform.services.definitions import create_draft, publish_version

    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    source = source.replace("\nlocale: sv-SE\n", "\nlocale: en-GB\n", 1).replace(
        "\ntimezone: Europe/Stockholm\n", "\ntimezone: America/New_York\n", 1).replace(
        "\nnotifications:\n  templates:\n",
        f"\nnotifications:\n{STATUS_EMAIL}  templates:\n{TEMPLATES}", 1)
    with world.app.app_context():
        draft = create_draft(world.a.tenant_id, source.encode(), world.a.emails["admin"])
        publish_version(world.a.tenant_id, draft.number, world.a.emails["admin"])
    case = book(world)
    move(world, case["id"], "schedule")
    move(world, case["id"], "start", role="technician")
    with world.app.app_context():
        rows = db.session.query(Notification).filter_by(
            case_id=case["id"], audience="customer").order_by(Notification.id).all()
        assert [r.channel for r in rows] == ["email", "sms"]
        rows[0].sent_at = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
        rows[1].status, rows[1].error = "failed", "The text message gateway refused it."
        db.session.commit()
        link = "/" + status_link(db.session.get(Case, case["id"])).split("/", 3)[3]
    page = world.app.test_client().get(link)
    assert '<html lang="en-GB"' in text_of(page)
    words = words_of(page)
    assert "What we told you" in words and "Det här har vi meddelat dig" not in words
    assert len(re.findall(r'data-testid="public-message"', text_of(page))) == 1
    assert f"Ditt besök {case['number']}" in words  # the email's own words, as sent
    assert "på väg" not in words  # the SMS failed: the customer was never told
    assert "10:30" in words and "15:30" not in words  # New York's clock, not UTC's
    assert "Stop these status messages" in words
