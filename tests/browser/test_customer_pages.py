"""The customer's side on a phone (issue 16), in Chromium against ``workorders demo``:
the status page lists what the customer was told, in the tenant's language (the
demo is Swedish), and its "stop" link leads to a page that asks first, stops status
messages on the tap and offers to undo. Every page fits a 390 px screen with
thumb-sized buttons (the phone layout test's own probe)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import new_context, watch_dialogs
from tests.browser.test_phone_layout import _check
from tests.browser.test_swedish_tenant import _service_case_asking_the_customer

CUSTOMER = "lena.berg@example.test"


def test_the_customer_reads_their_timeline_and_stops_status_messages_on_a_phone(
        demo_server: DemoServer, browser: Any) -> None:
    case, _approve, status_path = _service_case_asking_the_customer(demo_server)
    context = new_context(browser, phone=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        dialogs = watch_dialogs(page)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not str(
            m.location.get("url", "")).endswith("/favicon.ico") else None)  # the browser's own

        page.goto(demo_server.url + status_path)
        assert page.get_attribute("html", "lang") == "sv-SE"
        assert page.inner_text("#told-heading") == "Det här har vi meddelat dig"
        told = page.locator("[data-testid=public-message]")
        assert told.count() == 2, told.all_inner_texts()
        # oldest first: the text message when the visit started, shown whole
        texted = told.nth(0)
        assert "är på väg" in texted.locator(".message-text").inner_text()
        assert texted.locator("details").count() == 0
        # then the approval request's email: its subject, its text behind a tap
        emailed = told.nth(1)
        summary = emailed.locator("summary")
        assert case["number"] in summary.inner_text()
        text = emailed.locator(".message-text")
        assert not text.is_visible()
        summary.click()
        assert text.is_visible() and "Hej Lena Berg!" in text.inner_text()
        assert "/approve/" not in text.inner_text()  # the one-time link is the email's only
        assert emailed.locator("time").inner_text().strip()
        assert _check(page, "the status page") == []

        page.click("[data-testid=stop-status-messages]")
        page.wait_for_selector("[data-testid=unsubscribe-question]")
        assert page.get_attribute("html", "lang") == "sv-SE"
        question = page.inner_text("[data-testid=unsubscribe-question]")
        assert question == f"Stoppa statusmeddelanden från Nordvärme AB till {CUSTOMER}?"
        assert _check(page, "the unsubscribe page") == []

        page.click("[data-testid=unsubscribe]")
        done = page.inner_text("[data-testid=unsubscribed]")
        assert done == f"Klart: Nordvärme AB skickar inga fler statusmeddelanden till {CUSTOMER}."
        assert _check(page, "the page after stopping") == []

        page.click("[data-testid=undo]")
        again = page.inner_text("[data-testid=resubscribed]")
        assert again == f"Klart: Nordvärme AB skickar statusmeddelanden till {CUSTOMER} igen."
        assert _check(page, "the page after undoing") == []
        assert errors == [] and dialogs == []
    finally:
        context.close()
