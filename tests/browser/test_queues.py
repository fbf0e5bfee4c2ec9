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
from tests.browser.helpers import demo_token, new_context, sideways_overflow, sign_in_as
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

    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_as(page, demo_server, "coordinator")
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


def _rows_fit(page: Any, selector: str, count: int, height: int) -> None:
    """The first ``count`` rows, scrolled to the top of the window, all fit in it."""
    rows = page.locator(selector)
    assert rows.count() >= count
    page.evaluate("(y) => window.scrollTo(0, y)",
                  rows.first.evaluate("el => el.getBoundingClientRect().top + window.scrollY"))
    first, last = rows.nth(0).bounding_box(), rows.nth(count - 1).bounding_box()
    assert first is not None and last is not None
    assert last["y"] + last["height"] - first["y"] <= height, (first, last)


def _tall_enough(locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, (what, box)


def test_compact_rows_fit_a_screen_unfold_to_resolve_and_wrap_on_a_phone(
        demo_server: DemoServer, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    office = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech = Api(demo_server.url, demo_token(demo_server, "tove@nordvarme.test"))
    tag = uuid.uuid4().hex[:6]
    cases = [_unsigned_report(office, tech, f"Rows {tag} {n}") for n in range(13)]

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_as(page, demo_server, "coordinator")
    page.goto(f"{demo_server.url}/exceptions?q=Rows+{tag}")
    rows = page.locator("[data-testid=exception]")
    assert rows.count() == 13
    page.screenshot(path=str(SHOTS / "queue-compact-desktop.png"))
    _rows_fit(page, "[data-testid=exception]", 12, 800)
    # one line each: the case, its title, the age, who has it and the next step
    row = rows.filter(has_text=cases[0]["number"])
    line = row.locator(".qi-line").inner_text()
    assert cases[0]["number"] in line and f"Rows {tag} 0" in line
    assert "the coordinators" in line and "Assign to me" in line
    # the details stay folded until asked for, then show the message and the form
    form = row.locator("[data-testid=resolve-form]")
    assert not form.is_visible()
    assert "Customer signature is missing" not in row.inner_text()
    row.locator("[data-testid=details-open]").click()
    assert form.is_visible() and "Customer signature is missing" in row.inner_text()
    page.screenshot(path=str(SHOTS / "queue-compact-open.png"))
    form.locator("textarea").fill("Signed on paper, scanned into the case")
    form.locator("[data-testid=resolve]").click()
    page.wait_for_selector(f"text=Resolved MISSING_SIGNATURE on {cases[0]['number']}.")
    assert rows.count() == 12
    status, body = office.call("GET", f"/api/v1/cases/{cases[0]['id']}")
    assert status == 200 and not body["open_exceptions"], body.get("open_exceptions")
    # the case page's link to one row (#exception-<id>) arrives with that row unfolded
    target = rows.filter(has_text=cases[1]["number"])
    anchor = target.get_attribute("id")
    page.goto(f"{demo_server.url}/exceptions?q=Rows+{tag}#{anchor}")
    assert page.locator(f"#{anchor} [data-testid=resolve-form]").is_visible()
    assert not rows.filter(has_text=cases[2]["number"]).locator(
        "[data-testid=resolve-form]").is_visible()

    # the inbox: the same compact rows
    page.goto(f"{demo_server.url}/approvals?q=Rows+{tag}")
    assert page.locator("[data-testid=approval]").count() == 13
    _rows_fit(page, "[data-testid=approval]", 12, 800)
    item = page.locator("[data-testid=approval]", has_text=cases[1]["number"])
    item.locator("[data-testid=details-open]").press("Enter")  # keyboard reachable
    assert item.locator("[data-testid=decide-form]").is_visible()
    page.screenshot(path=str(SHOTS / "inbox-compact-desktop.png"))
    context.close()

    phone = new_context(browser, phone=True)
    page = phone.new_page()
    page.set_default_timeout(30_000)
    sign_in_as(page, demo_server, "coordinator")
    for path, selector in ((f"/exceptions?q=Rows+{tag}", "[data-testid=exception]"),
                           (f"/approvals?q=Rows+{tag}", "[data-testid=approval]")):
        page.goto(demo_server.url + path)
        first = page.locator(selector).first
        first.locator("[data-testid=details-open]").click()
        assert sideways_overflow(page) == [], path
        _tall_enough(first.locator(".qi-tick-box"), "the tick box")
        _tall_enough(first.locator("[data-testid=details-open]"), "the details toggle")
        _tall_enough(first.locator("[data-testid=case-link]"), "the case link")
        primary = first.locator(".qi-primary button")
        _tall_enough(primary, "the row's action")
        page.screenshot(path=str(SHOTS / f"{selector.split('=')[1][:-1]}-compact-phone.png"),
                        full_page=True)
    phone.close()
