"""What the browser journeys share: a small JSON API client for set-up and
checks, API tokens from the real CLI, drawing a signature on the pad, the
desktop and phone contexts, signing in, and booking a case through the page or
the API. One copy of each, so a change to the login form or the booking payload
is made once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.request import Request, urlopen

from tests.browser.conftest import DemoServer
from tests.support.processes import ROOT


class DemoApi:
    """One person's JSON API calls against a served demo (the standard library
    is enough, and it exercises the real HTTP stack)."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")

    def upload(self, case_id: int, name: str, data: bytes) -> str:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()
        req = Request(f"{self.base}/api/v1/cases/{case_id}/attachments", data=body,
                      method="POST", headers={
                          "Authorization": f"Bearer {self.token}",
                          "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urlopen(req, timeout=30) as resp:
            return str(json.loads(resp.read())["id"])


def demo_cli(server: DemoServer, *args: str) -> str:
    """Run ``workorders ARGS`` against the demo's instance folder, the operator's
    way, and return what it printed (the test's own WORKORDERS_* settings are
    dropped so they cannot point it elsewhere)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env["WORKORDERS_INSTANCE_DIR"] = str(server.instance)
    return subprocess.run([sys.executable, "-m", "workorders", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout


def demo_token(server: DemoServer, email: str, label: str = "browser test") -> str:
    """A token made the operator's way: ``workorders tokens create`` on the demo."""
    out = demo_cli(server, "tokens", "create", "nordvarme", email, "--label", label)
    return out.strip().splitlines()[-1]


def sign(page: Any, field: str = "customer_signature") -> None:
    """Draw a zigzag on the signature pad with the mouse and save it."""
    canvas = page.locator(f"[data-testid=signature-canvas-{field}]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + 30 + step * 10, y + (18 if step % 2 else -18), steps=2)
    page.mouse.up()
    page.click(f"[data-testid=signature-done-{field}]")
    page.wait_for_selector("[data-signature-saved] img[src*='/attachments/']", state="visible")


DEMO_ZONE = "Europe/Stockholm"  # the demo tenant's time zone, so the browser's agrees
STREET = {"street": "Storgatan 12", "city": "Umeå", "postal_code": "90325", "country": "SE"}
LENA = {"name": "Lena Berg", "email": "lena@example.test"}


def new_context(browser: Any, phone: bool = False) -> Any:
    """A desktop (1280x900) or phone (390x844, touch) browser context in the
    demo tenant's zone: the two screens the journeys are written for."""
    if phone:
        return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, timezone_id=DEMO_ZONE)
    return browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=DEMO_ZONE)


def watch_dialogs(page: Any) -> list[str]:
    """Dismiss and collect every alert/confirm the page raises: a journey ends by
    asserting the list is empty (an injected ``alert`` would land here)."""
    fired: list[str] = []

    def on_dialog(dialog: Any) -> None:
        fired.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return fired


def sign_in(page: Any, server: DemoServer, email: str, password: str | None = None, *,
            landing: str | None = None) -> None:
    """Sign in through the login form and wait until the app has left it.

    ``password`` defaults to the demo's printed one for ``email``; ``landing`` is
    a selector to wait for on the page the login leads to, where a test cares
    which page that is."""
    if password is None:
        password = next(p for e, p in server.logins.values() if e == email)
    page.goto(server.url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    if landing is not None:
        page.wait_for_selector(landing)


def sign_in_as(page: Any, server: DemoServer, role: str, *, landing: str | None = None) -> None:
    """Sign in as the demo's person for ``role`` (admin, coordinator, technician)."""
    email, password = server.logins[role]
    sign_in(page, server, email, password, landing=landing)


@contextmanager
def signed_in_page(browser: Any, server: DemoServer, email: str, *, phone: bool = False,
                   timeout: float = 15_000) -> Iterator[Any]:
    """A page of a fresh desktop or phone context, signed in as ``email``; the
    context is closed when the block ends, however it ends."""
    context = new_context(browser, phone=phone)
    try:
        page = context.new_page()
        page.set_default_timeout(timeout)
        sign_in(page, server, email)
        yield page
    finally:
        context.close()


def book_in_page(page: Any, *, title: str, customer: str, email: str, start: datetime,
                 phone: str | None = None) -> str:
    """Fill the open New case form (a two-hour window from ``start``, a site in
    Umeå), press Book and return the new case's address."""
    page.fill("#title", title)
    page.fill("#customer_name", customer)
    page.fill("#customer_email", email)
    if phone is not None:
        page.fill("#customer_phone", phone)
    page.fill("#site_street", "Rådhusesplanaden 5")
    page.fill("#site_city", "Umeå")
    page.fill("#scheduled_start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#scheduled_end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=book]")
    page.wait_for_selector("text=Booked ")
    return str(page.url)


def book_by_api(api: DemoApi, title: str, start: datetime | str, end: datetime | str, *,
                assignee: str | None = None, customer: dict[str, Any] | None = None,
                site: dict[str, str] | None = None, schedule: bool = False) -> dict[str, Any]:
    """Book an installation through the API (Lena Berg at Storgatan 12 unless
    told otherwise) and, with ``schedule``, move it to Scheduled; the set-up most
    journeys start from, so the payload has one shape."""
    status, case = api.call("POST", "/api/v1/cases", {
        "case_type": "installation", "title": title,
        "customer": LENA if customer is None else customer,
        "site": STREET if site is None else site,
        "scheduled_start": start if isinstance(start, str) else start.isoformat(),
        "scheduled_end": end if isinstance(end, str) else end.isoformat(),
        "assignee": assignee})
    assert status == 201, case
    if schedule:
        moved, case = api.call("POST", f"/api/v1/cases/{case['id']}/transitions",
                               {"transition": "schedule"})
        assert moved == 200, case
    return dict(case)


_WIDER_THAN_THE_SCREEN = """(width) => [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ends at '
                     + Math.round(e.getBoundingClientRect().right))"""


def sideways_overflow(page: Any, width: int = 390) -> list[str]:
    """What makes the page scroll sideways on a ``width``-pixel screen (empty when
    nothing does). It waits for the page's load event first: measured while a
    stylesheet is still on its way, an unstyled page is wider than the screen and
    the check fails on a slow machine only."""
    page.wait_for_load_state("load")
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return []
    return list(page.evaluate(_WIDER_THAN_THE_SCREEN, width)) or ["the page itself"]
