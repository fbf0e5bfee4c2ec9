"""A newcomer's first minutes: the demo's printed login works in a real browser."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import sideways_overflow


def test_demo_prints_a_login_per_role(demo_server: DemoServer) -> None:
    assert set(demo_server.logins) >= {"admin", "coordinator", "technician", "viewer"}


def test_the_printed_admin_login_opens_the_workspace(demo_server: DemoServer, page: Any) -> None:
    email, password = demo_server.logins["admin"]
    page.goto(demo_server.url + "/")
    assert page.url.startswith(demo_server.url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Good to see you')")
    assert "Nordvärme AB" in page.inner_text("header")
    assert page.locator("table").first.inner_text().count("@nordvarme.test") >= 4
    page.click("summary")
    page.click("[data-testid=logout]")
    page.wait_for_selector("text=You are signed out.")


def test_a_wrong_password_says_what_to_do(demo_server: DemoServer, page: Any) -> None:
    email, _ = demo_server.logins["coordinator"]
    page.goto(demo_server.url + "/login")
    page.fill("#email", email)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "do not match" in alert.inner_text()
    assert page.url.startswith(demo_server.url + "/login")


def test_the_login_page_works_on_a_phone(demo_server: DemoServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    email, password = demo_server.logins["technician"]
    page.goto(demo_server.url + "/login")
    button = page.locator("button[type=submit]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] <= 390  # a thumb-sized target, inside the screen
    page.fill("#email", email)
    page.fill("#password", password)
    button.click()
    page.wait_for_selector("h1:has-text('My jobs')")  # a technician's home
    assert sideways_overflow(page) == []
    context.close()
