"""Inviting a person, end to end in Chromium against ``workorders demo``: the admin
invites on /admin/people (no password typed by anyone but the person), the welcome
email lands where the demo writes mail (``<instance>/outbox/*.eml``, see
jobs/email.py: without WORKORDERS_SMTP_URL every message is a file), and the person
opens its link in a browser of their own, chooses a password, signs in and sees
the workspace with their role's navigation."""

from __future__ import annotations

import email
import re
import time
from email import policy
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import sign_in_as

NEW_PERSON = "nils@nordvarme.test"
NEW_PASSWORD = "three quiet lanterns"


def _set_password_link(outbox: Path, to: str, timeout: float = 20.0) -> str:
    """The set-password link of the newest email to ``to`` (jobs run in the server's
    process after the request, so the file may take a moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == to:
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                match = re.search(r"https?://\S+/set-password/\S+", body.get_content())
                assert match, body.get_content()
                return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} in {outbox} after {timeout} s")


def test_an_admin_invites_and_the_person_signs_in_with_their_own_password(
        demo_server: DemoServer, page: Any, browser: Any) -> None:
    sign_in_as(page, demo_server, "admin", landing="h1:has-text('Good to see you')")
    page.click("[data-testid=nav-admin]")
    page.click("[data-testid=admin-card-people]")
    assert page.url.endswith("/admin/people")

    form = page.locator("[data-testid=invite-form]")
    assert form.locator("input[type=password]").count() == 0
    form.locator("input[name=email]").fill(NEW_PERSON)
    form.locator("input[name=name]").fill("Nils Nilsson")
    page.check("[data-testid=invite-role-technician]")
    page.click("[data-testid=invite-submit]")
    flash = page.locator(".flash-success")
    assert "Nils Nilsson was added as technician" in flash.inner_text()
    status = page.locator(f"[data-testid='status-{NEW_PERSON}']").inner_text()
    assert "has not set a password yet" in status

    link = _set_password_link(demo_server.instance / "outbox", NEW_PERSON)
    assert link.startswith(demo_server.url + "/set-password/")

    newcomer = browser.new_context(viewport={"width": 1280, "height": 900})
    them = newcomer.new_page()
    them.set_default_timeout(15_000)
    them.goto(link)
    assert NEW_PERSON in them.inner_text("main")
    them.fill("#password", NEW_PASSWORD)
    them.fill("#confirm", NEW_PASSWORD)
    them.click("button[type=submit]")
    them.wait_for_selector("text=Your password is set. Sign in with it.")
    them.fill("#email", NEW_PERSON)
    them.fill("#password", NEW_PASSWORD)
    them.click("button[type=submit]")
    them.wait_for_selector("h1:has-text('My jobs')")  # a technician's home
    assert "Nordvärme AB" in them.inner_text("header")
    nav = them.locator(".mainnav").inner_text()
    assert "My jobs" in nav and "Board" in nav
    assert them.locator("[data-testid=nav-admin]").count() == 0
    assert them.locator("[data-testid=nav-exports]").count() == 0
    assert them.goto(demo_server.url + "/admin/people").status == 403
    them.goto(link)  # the link worked once
    assert "already been used" in them.inner_text("main")
    newcomer.close()

    page.reload()
    status = page.locator(f"[data-testid='status-{NEW_PERSON}']").inner_text()
    assert "active" in status and "has not set a password" not in status
