"""A case from booking to the technician starting it, in a real browser against
``workorders demo``: the coordinator books, assigns and schedules it on a
desktop; the technician finds it in My jobs on a phone and starts it; the
timeline tells the whole story. And customer text with HTML stays text."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DEMO_ZONE as ZONE
from tests.browser.helpers import (
    book_in_page,
    new_context,
    sideways_overflow,
    sign_in_as,
    watch_dialogs,
)

EVIL = "<img src=x onerror=alert(1)>"


# a technician's home is My jobs, everyone else's the home page
HOME = {"coordinator": "h1:has-text('Good to see you')", "technician": "h1:has-text('My jobs')"}


def _book(page: Any, server: DemoServer, title: str, customer: str, start: datetime) -> str:
    """Book from the board's New case button, the way the office starts a case."""
    page.goto(server.url + "/board")
    page.click("a[role=button]:has-text('New case')")
    page.wait_for_selector("h1:has-text('New case')")
    assert page.input_value("#timezone") == ZONE  # the tenant's zone (the browser's is offered)
    case_url = book_in_page(page, title=title, customer=customer,
                            email="booked.in.browser@example.test", start=start)
    page.wait_for_selector("text=Booked INST-")
    return case_url


def test_book_assign_schedule_then_the_technician_starts_it(demo_server: DemoServer,
                                                            browser: Any) -> None:
    title = f"Browser journey {uuid.uuid4().hex[:8]}"
    start = datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    office = new_context(browser)
    page = office.new_page()
    fired = watch_dialogs(page)
    sign_in_as(page, demo_server, "coordinator", landing=HOME["coordinator"])
    case_url = _book(page, demo_server, title, "Journey Customer AB", start)
    assert page.inner_text("[data-testid=assignee]") == "Nobody yet"

    page.select_option("#assignee", label="Tove Technician")
    page.click("[data-testid=assign]")
    page.wait_for_selector("text=Assigned to Tove Technician.")
    assert page.inner_text("[data-testid=assignee]") == "Tove Technician"

    page.fill("#comment", "Customer confirmed the time by phone")
    page.click("[data-testid=transition-schedule]")
    page.wait_for_selector("text=Done: Schedule.")
    assert "Scheduled" in page.inner_text(".case-sub")
    assert page.locator("g.node-current[data-state=scheduled]").count() == 1
    office.close()

    phone = new_context(browser, phone=True)
    tech = phone.new_page()
    fired += watch_dialogs(tech)
    sign_in_as(tech, demo_server, "technician", landing=HOME["technician"])
    tech.click("[data-testid=nav-toggle]")  # on a phone the menu is folded behind Menu
    tech.click("a:has-text('My jobs')")
    today = tech.locator("section[data-group=today]")
    job = today.locator("[data-testid=job]", has_text=title)
    assert job.count() == 1
    box = job.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200  # the title: a thumb-sized link
    card = today.locator("[data-testid=job-card]", has_text=title).bounding_box()
    assert card["height"] >= 60 and card["width"] >= 300
    job.click()
    assert tech.url == case_url
    start_button = tech.locator("[data-testid=transition-start]")
    box = start_button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    start_button.click()
    tech.wait_for_selector("text=Done: Start.")
    assert sideways_overflow(tech) == []

    history = tech.inner_text("[data-testid=timeline]")
    for step in ("Booked the case", "Assigned to Tove Technician", "Schedule: Booked → Scheduled",
                 "Customer confirmed the time by phone", "Start: Scheduled → In progress"):
        assert step in history
    assert history.index("Start: Scheduled") < history.index("Booked the case")  # newest first
    phone.close()
    assert fired == []


def test_html_in_a_customer_name_is_shown_as_text(demo_server: DemoServer, browser: Any) -> None:
    title = f"Escaping check {uuid.uuid4().hex[:8]}"
    context = new_context(browser)
    page = context.new_page()
    fired = watch_dialogs(page)
    sign_in_as(page, demo_server, "coordinator", landing=HOME["coordinator"])
    _book(page, demo_server, title, EVIL, datetime.now(ZoneInfo(ZONE)) + timedelta(days=2))
    assert page.inner_text("[data-testid=customer-name]") == EVIL
    assert page.locator(".case-booking img").count() == 0
    page.goto(demo_server.url + "/board/installation?q=" + title.replace(" ", "+"))
    card = page.locator("[data-testid=card]", has_text=title)
    assert EVIL in card.inner_text()
    assert card.locator("img").count() == 0
    context.close()
    assert fired == []
