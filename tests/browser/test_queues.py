"""Working the queues quickly on a desktop (issue 15), in Chromium against the demo:
tick three exceptions and resolve them with one note, see the code's count drop,
then approve an approval right from its case page."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi as Api
from tests.browser.helpers import demo_token
from tests.browser.test_case_journey import _context, _login
from tests.browser.test_rules_journey import _scheduled_installation
from tests.support.capture import jpeg_bytes, report

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))


def _unsigned_report(office: Api, tech: Api, title: str) -> dict[str, Any]:
    """A started case with a final report of 17 hours and no signature: a
    MISSING_SIGNATURE exception and an overtime approval for the coordinators."""
    case = _scheduled_installation(office, title)
    assert tech.call("POST", f"/api/v1/cases/{case['id']}/transitions",
                     {"transition": "start"})[0] == 200
    photo = tech.upload(case["id"], "photo.jpg", jpeg_bytes())
    status, body = tech.call("POST", f"/api/v1/cases/{case['id']}/submissions",
                             {"form": "installation_report", "data": report(photo, hours="16")})
    assert status == 201, body
    return case


def _chip(page: Any, code: str) -> int:
    chip = page.locator(f".code-chips a[data-code={code}] .chip-count")
    return int(chip.inner_text()) if chip.count() else 0


def test_bulk_resolve_then_decide_from_the_case_page(demo_server: DemoServer,
                                                     browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    office = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech = Api(demo_server.url, demo_token(demo_server, "tove@nordvarme.test"))
    tag = uuid.uuid4().hex[:6]
    cases = [_unsigned_report(office, tech, f"Queue {tag} {n}") for n in range(3)]

    context = _context(browser)
    page = context.new_page()
    page.set_default_timeout(30_000)
    _login(page, demo_server, "coordinator")
    assert page.locator("[data-testid=work-home]").count() == 1
    high = int(page.inner_text("[data-testid=home-exceptions-high]").split()[0])
    assert high >= 3
    page.screenshot(path=str(SHOTS / "queue-home.png"), full_page=True)

    page.goto(demo_server.url + "/exceptions")
    before = _chip(page, "MISSING_SIGNATURE")
    assert before >= 3
    page.fill("[data-testid=queue-search]", f"Queue {tag}")
    page.click("[data-testid=filter]")
    page.wait_for_selector("[data-testid=exception]")
    assert page.locator("[data-testid=exception]").count() == 3
    assert _chip(page, "MISSING_SIGNATURE") == 3
    page.locator("[data-testid=pick]").first.check()
    page.click("[data-testid=tick-all]")  # bulk.js: ticks the other two
    assert all(box.is_checked() for box in page.locator("[data-testid=pick]").all())
    assert page.inner_text("[data-testid=tick-all]") == "Untick all"
    page.fill("[data-testid=bulk-note]", "Signatures collected on paper")
    page.screenshot(path=str(SHOTS / "queue-bulk.png"), full_page=True)
    page.click("[data-testid=bulk-resolve]")
    page.wait_for_selector("text=3 resolved.")
    assert page.locator("[data-testid=exception]").count() == 0
    page.goto(demo_server.url + "/exceptions")
    assert _chip(page, "MISSING_SIGNATURE") == before - 3

    # the approval, decided from its case page
    case = cases[0]
    page.goto(f"{demo_server.url}/cases/{case['id']}")
    form = page.locator("[data-testid=case-decide-form]")
    form.locator("input[name=comment]").fill("Long day, fine")
    form.locator("[data-testid=case-approve]").click()
    page.wait_for_selector(f"text=Approved on {case['number']}.")
    assert page.url.endswith(f"/cases/{case['id']}")
    assert page.locator("[data-testid=case-decide-form]").count() == 0
    status, approvals = office.call("GET", f"/api/v1/cases/{case['id']}")
    assert status == 200 and not approvals["pending_approvals"]
    context.close()
