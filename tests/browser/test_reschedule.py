"""The coordinator in the office, on a desktop browser against ``workorders demo``:
books a case with a known customer picked from the lookup, moves its window and
technician from the case page (the timeline says what changed, in words), then
cancels it with a reason. Screenshots for docs/pages.md."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import DemoServer
from tests.browser.helpers import book_in_page, new_context, sign_in_as

ZONE = "Europe/Stockholm"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _book(page: Any, server: DemoServer, customer: str, start: datetime) -> str:
    """The first booking, with an email and phone the lookup then offers."""
    page.goto(server.url + "/cases/new")
    return book_in_page(page, title="Service visit " + customer, customer=customer,
                        email="lookup.me@example.test", phone="+46 70 111 22 33", start=start)


def test_edit_reschedule_cancel_and_lookup(browser: Any, demo_server: DemoServer) -> None:
    context = new_context(browser)
    page = context.new_page()
    sign_in_as(page, demo_server, "coordinator")
    customer = "Lookup " + uuid.uuid4().hex[:6]
    start = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=3)).replace(
        hour=8, minute=0, second=0, microsecond=0)
    _book(page, demo_server, customer, start)

    # a second booking for the same customer, picked from the lookup
    page.goto(demo_server.url + "/cases/new")
    lookup = page.locator("[data-testid=customer-lookup]")
    assert lookup.is_visible()
    lookup.fill(customer[:9])
    option = f"{customer} · lookup.me@example.test"
    page.wait_for_selector(f"#customer-lookup-list option[value='{option}']", state="attached")
    lookup.fill(option)
    page.wait_for_function("document.getElementById('customer_name').value !== ''")
    assert page.input_value("#customer_name") == customer
    assert page.input_value("#customer_phone") == "+46 70 111 22 33"
    assert page.input_value("#site_city") == "Umeå"
    page.screenshot(path=str(IMG / "edit-customer-lookup.png"))
    page.fill("#title", "Follow-up " + customer)
    page.fill("#scheduled_start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#scheduled_end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=book]")
    page.wait_for_selector("text=Booked ")
    case_url = str(page.url)

    # move the window a day and pick a technician from the case page
    button = page.locator("[data-testid=edit-booking]")
    assert button.bounding_box()["height"] >= 44
    button.click()
    page.wait_for_selector("h1:has-text('Edit booking')")
    later = start + timedelta(days=1, hours=1)
    page.fill("#scheduled_start", later.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#scheduled_end", (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#assignee", index=1)
    page.screenshot(path=str(IMG / "edit-booking.png"))
    page.click("[data-testid=save-booking]")
    page.wait_for_selector("text=Saved the booking")
    assert page.url == case_url
    history = page.locator("text=Changed the booking")
    assert history.count() >= 1
    # the move is one "Scheduled: old window → new window" line, not a start and an end line
    timeline = page.locator("[data-testid=timeline]")
    assert timeline.locator(".tl-field", has_text="Scheduled").count() >= 1
    assert "Scheduled start" not in timeline.inner_text()

    # cancel: a confirmation with a required reason
    page.click("[data-testid=transition-cancel]")
    page.wait_for_selector("text=Reason (required)")
    page.click("[data-testid=confirm-transition]")
    page.wait_for_selector("[data-testid=confirm-problem]")
    assert "reason is required" in page.inner_text("[data-testid=confirm-problem]")
    page.fill("#reason", "The customer sold the house")
    page.screenshot(path=str(IMG / "edit-cancel-reason.png"))
    page.click("[data-testid=confirm-transition]")
    page.wait_for_selector("text=Done: ")
    assert page.locator("text=The customer sold the house").count() >= 1
    context.close()
