"""A Swedish tenant's pages in Chromium against ``workorders demo`` (issue 15).

Nordvärme (sv-SE, Europe/Stockholm) publishes a version with its logo. The office
reads the booked visit in Swedish and in CET on a desktop although the browser
runs in New York time (the tenant's clock wins); the customer opens the approval
link from the email on a phone and sees the company's name and logo, the lines
to approve in kronor (``48 500,00 kr``), rejects, and the heading says so; the
status page shows the planned visit in CET. Screenshots for docs/pages.md.
"""

from __future__ import annotations

import io
import re
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi, demo_token, sign_in_as
from tests.support.capture import unresolved_service_visit
from tests.support.processes import ROOT
from workorders.definitions.formatting import Formatting

DOCS_IMG = ROOT / "docs" / "img"
NB = "\xa0"


def _logo_png() -> bytes:
    """A small wordmark, drawn here so the test needs no image file."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (220, 56), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 6, 50, 50), radius=10, fill=(196, 48, 43))
    draw.polygon([(26, 14), (40, 40), (12, 40)], fill=(255, 255, 255))
    try:
        font: Any = ImageFont.truetype("DejaVuSans-Bold.ttf", 24)
    except OSError:
        font = ImageFont.load_default()
    draw.text((60, 14), "Nordvärme", fill=(33, 37, 41), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _raw(server: DemoServer, token: str, path: str, body: bytes, kind: str) -> Any:
    import json

    req = urllib.request.Request(server.url + path, data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": kind})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"null")


def _publish_with_logo(server: DemoServer, logo: bytes) -> None:
    import base64

    token = demo_token(server, "anna@nordvarme.test", "logo")
    text = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    ours = "timezone: Europe/Stockholm\n"
    assert ours in text
    text = text.replace(ours, ours + "branding:\n  logo: \"data:image/png;base64,"
                        + base64.b64encode(logo).decode() + "\"\n", 1)
    draft = _raw(server, token, "/api/v1/definitions", text.encode(), "application/yaml")
    _raw(server, token, f"/api/v1/definitions/{draft['version']}/publish",
         b'{"comment": "Our logo on the customer pages"}', "application/json")


def _sent(outbox: Path) -> set[Path]:
    """The outbox's emails and (without an SMS gateway) text messages."""
    return {*outbox.glob("*.eml"), *outbox.glob("*.sms.txt")} if outbox.exists() else set()


def _wait_for_link(server: DemoServer, pattern: str, after: set[Path]) -> str:
    """The path of the first link matching ``pattern`` in a mail or text message
    sent since ``after``."""
    outbox = server.instance / "outbox"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in sorted(_sent(outbox) - after):
            text = path.read_text(encoding="utf-8", errors="replace")
            text = re.sub(r"=\r?\n", "", text)  # quoted-printable soft breaks
            found = re.search(r"https?://[^/\s]+(" + pattern + r"[^\s\"'<>]*)", text)
            if found:
                return found.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no mail with a {pattern} link arrived")


def _service_case_asking_the_customer(server: DemoServer) -> tuple[dict[str, Any], str, str]:
    """A service visit whose report costs more than 15 000 kr: the customer is asked
    (by email) and, when the visit started, was texted their status page's link."""
    coordinator = DemoApi(server.url, demo_token(server, "carl@nordvarme.test"))
    technician = DemoApi(server.url, demo_token(server, "tove@nordvarme.test"))
    before = _sent(server.instance / "outbox")
    status, case = coordinator.call("POST", "/api/v1/cases", {
        "case_type": "service", "title": "Replace the heat pump compressor",
        "customer": {"name": "Lena Berg", "email": "lena.berg@example.test",
                     "phone": "+46701234567"},
        "site": {"street": "Storgatan 1", "city": "Umeå", "postal_code": "90325",
                 "country": "SE"},
        "scheduled_start": "2026-11-26T07:00:00Z", "scheduled_end": "2026-11-26T09:00:00Z",
        "assignee": "tove@nordvarme.test", "fields": {"under_warranty": False}})
    assert status == 201, case
    coordinator.call("POST", f"/api/v1/cases/{case['id']}/transitions",
                     {"transition": "schedule"})
    technician.call("POST", f"/api/v1/cases/{case['id']}/transitions", {"transition": "start"})
    status, result = technician.call("POST", f"/api/v1/cases/{case['id']}/submissions", {
        "form": "service_visit", "data": unresolved_service_visit()})
    assert status in (200, 201), result
    return (case, _wait_for_link(server, "/approve/", before),
            _wait_for_link(server, "/status/", before))


def test_a_swedish_tenants_pages_and_customer_pages(demo_server: DemoServer,
                                                    browser: Any) -> None:
    logo = _logo_png()
    _publish_with_logo(demo_server, logo)
    case, approve_path, status_path = _service_case_asking_the_customer(demo_server)

    # the office, on a desktop whose browser is in New York: the tenant's clock wins
    office = browser.new_context(viewport={"width": 1280, "height": 900},
                                 timezone_id="America/New_York")
    page = office.new_page()
    sign_in_as(page, demo_server, "coordinator", landing="h1:has-text('Good to see you')")
    page.goto(f"{demo_server.url}/cases/{case['id']}")
    assert page.inner_text("[data-testid=schedule]") == "tors 26 nov. 2026 08:00–10:00 CET"
    page.goto(demo_server.url + "/board/service")
    card = page.locator(f"text={case['title']}").locator("xpath=ancestor::*[contains(@class,"
                                                          "'card')][1]")
    assert "tors 26 nov. 2026 08:00" in card.inner_text()
    # booking defaults to the tenant's zone too; the browser's own is one choice away
    page.goto(demo_server.url + "/cases/new?case_type=service")
    assert page.input_value("#timezone") == "Europe/Stockholm"
    zones = page.locator("#timezone option").evaluate_all("os => os.map(o => o.value)")
    assert "America/New_York" in zones
    office.close()

    # the customer, on a phone, from the approval email
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, timezone_id="Europe/Stockholm")
    customer = phone.new_page()
    errors: list[str] = []
    customer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    customer.goto(demo_server.url + approve_path)
    assert customer.inner_text("[data-testid=approval-heading]") == "Your approval is needed"
    assert customer.inner_text("[data-testid=tenant-name]") == "Nordvärme AB"
    shown = customer.locator("[data-testid=tenant-logo]")
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 220
    lines = customer.inner_text("[data-testid=approval-lines]")
    assert f"48{NB}500,00{NB}kr" in lines  # the heat pump's unit price and total
    assert re.search(r"\d{2}\xa0\d{3},\d\d\xa0kr", customer.inner_text(
        "[data-testid=approval-net]"))
    reason = customer.inner_text("[data-testid=approval-reason]")
    assert re.search(r"costs \d{2}\xa0\d{3},\d\d\xa0kr incl\. VAT", reason), reason
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    customer.screenshot(path=str(DOCS_IMG / "customer-approval.png"), full_page=True)
    customer.fill("#comment", "Too expensive, call me first")
    customer.click("input[type=submit][value=Reject], button:has-text('Reject')")
    customer.wait_for_selector("[data-testid=approval-heading]:has-text('You rejected this')")
    today = Formatting("sv-SE", "Europe/Stockholm").date(datetime.now(UTC))
    assert f"This was rejected on {today}." in customer.inner_text(
        "[data-testid=approval-decided]")
    customer.screenshot(path=str(DOCS_IMG / "customer-rejected.png"), full_page=True)

    customer.goto(demo_server.url + status_path)
    assert customer.inner_text("[data-testid=public-visit]") == (
        "tors 26 nov. 2026 08:00–10:00 CET")
    assert customer.locator("[data-testid=tenant-logo]").is_visible()
    customer.screenshot(path=str(DOCS_IMG / "customer-status.png"), full_page=True)
    assert errors == []
    phone.close()
