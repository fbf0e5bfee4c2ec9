"""The bell and the message log in a real browser (issue 16), against the demo: a
scheduled job rings the technician's bell on a phone, opening the message goes to
the case and the count is gone; an admin reaches the message log from the admin
home and filters it by channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import (
    DemoApi,
    book_by_api,
    demo_token,
    sideways_overflow,
    signed_in_page,
)


def test_a_scheduled_job_rings_the_bell_on_a_phone(demo_server: DemoServer,
                                                   browser: Any) -> None:
    office = DemoApi(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech_email = demo_server.logins["technician"][0]
    with signed_in_page(browser, demo_server, tech_email, phone=True) as page:
        bell = page.locator("[data-testid=nav-messages]")
        before = bell.get_attribute("aria-label")
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        case = book_by_api(office, "Bell test", start, start + timedelta(hours=2),
                           assignee=tech_email, schedule=True)
        label = before
        for _ in range(40):  # the demo delivers in the background: a moment later
            page.goto(demo_server.url + "/my")
            label = page.locator("[data-testid=nav-messages]").get_attribute("aria-label")
            if label != before:
                break
            page.wait_for_timeout(250)
        assert label is not None and label.endswith(" unread") and label != before
        page.goto(demo_server.url + "/messages")
        assert sideways_overflow(page) == []
        first = page.locator("[data-testid=staff-message]").first
        assert case["number"] in first.inner_text()
        box = first.locator("[data-testid=open-message]").bounding_box()
        assert box is not None and box["height"] >= 44
        first.locator("[data-testid=open-message]").click()
        page.wait_for_url(f"**/cases/{case['id']}")
        after = page.locator("[data-testid=nav-messages]").get_attribute("aria-label")
        assert after == before


def test_the_admin_reaches_the_log_and_filters_it(demo_server: DemoServer,
                                                  browser: Any) -> None:
    admin_email = demo_server.logins["admin"][0]
    with signed_in_page(browser, demo_server, admin_email) as page:
        page.goto(demo_server.url + "/admin")
        page.click("[data-testid=admin-card-messages]")
        page.wait_for_selector("h1:has-text('Message log')")
        page.select_option("#f-channel", "in_app")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_url("**channel=in_app**")
        rows = page.locator("[data-testid=message-table] tbody tr")
        assert rows.count() >= 1
        assert "In the app" in rows.first.inner_text()
