"""A technician's day on a phone (390x844), in Chromium against ``workorders demo``.

- From My jobs, an installation job is finished (start, time and material, a
  photo, the customer's signature, both reports submitted, complete) with every
  tap counted: a click, a tap, choosing a file, drawing the signature and
  focusing a field to type into each count one. The number is asserted and
  written in docs/pages.md.
- An untouched row from "Add time" is not sent; a failed photo upload is marked,
  retried or dropped, and never blocks Submit; the typed-name signature.
- "On my way" from My jobs, and the work timer that survives a reload, shows on a
  second device and fills a time row when stopped.
"""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from tests.browser.conftest import DemoServer
from tests.browser.helpers import (
    LENA,
    STREET,
    book_by_api,
    demo_token,
    new_context,
    sign_in_as,
    watch_dialogs,
)
from tests.browser.helpers import DemoApi as Api

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))
MAX_TAPS = 12
PHONE_HEIGHT = 844


class Taps:
    """The phone, driven only through these methods, so every tap is counted."""

    def __init__(self, page: Any) -> None:
        self.page, self.count, self.log = page, 0, []

    def _tap(self, what: str) -> None:
        self.count += 1
        self.log.append(what)

    def click(self, selector: str) -> None:
        self._tap(f"click {selector}")
        self.page.click(selector)

    def type_into(self, selector: str, text: str) -> None:
        """One tap to focus the field; the letters typed are not taps."""
        self._tap(f"type into {selector}")
        self.page.fill(selector, text)

    def choose_file(self, selector: str, files: list[dict[str, Any]]) -> None:
        self._tap(f"photo {selector}")
        self.page.set_input_files(selector, files=files)

    def draw_signature(self, field: str = "customer_signature") -> None:
        """One stroke of the finger (a zigzag), no Done: Submit saves it."""
        self._tap("draw the signature")
        canvas = self.page.locator(f"[data-testid=signature-canvas-{field}]")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        x, y = box["x"], box["y"] + box["height"] / 2
        self.page.mouse.move(x + 30, y)
        self.page.mouse.down()
        for step in range(1, 25):
            self.page.mouse.move(x + 30 + step * 10, y + (18 if step % 2 else -18), steps=2)
        self.page.mouse.up()


def _jpeg(colour: tuple[int, int, int] = (40, 110, 180)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    return out.getvalue()


def _photo(name: str = "installation.jpg") -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": "image/jpeg", "buffer": _jpeg()}]


def _job_today(api: Api, title: str, *, start: bool = False) -> dict[str, Any]:
    """A four-hour job for Tove in 40 minutes, scheduled, with the phone number
    and access notes the job card shows."""
    begin = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=40)
    return book_by_api(api, title, begin, begin + timedelta(hours=4),
                       assignee="tove@nordvarme.test", schedule=True,
                       customer={**LENA, "phone": "+46 70 123 45 67"},
                       site={**STREET, "access_notes": "Key box by the garage, code 4711"})


def _on_first_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT


def _small_targets(page: Any, scope: str = "main") -> list[str]:
    """Visible buttons and button-like links in ``scope`` under 44 px tall."""
    return list(page.evaluate("""(scope) => Array.from(document.querySelectorAll(
        scope + ' button, ' + scope + ' [role=button], ' + scope + ' .job-card a'))
      .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
      .map(el => (el.textContent || '').trim() + ' '
                 + Math.round(el.getBoundingClientRect().height))
    """, scope))


def _phone(browser: Any, server: DemoServer) -> tuple[Any, Any, list[str]]:
    context = new_context(browser, phone=True)
    page = context.new_page()
    page.set_default_timeout(30_000)  # the demo server shares two cores with the suite
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    watch_dialogs(page)
    sign_in_as(page, server, "technician")
    return context, page, errors


def test_an_installation_is_finished_from_my_jobs_in_at_most_12_taps(
        demo_server: DemoServer, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    title = f"Install {uuid.uuid4().hex[:6]}"
    case = _job_today(api, title)
    context, page, errors = _phone(browser, demo_server)
    page.goto(demo_server.url + "/my")
    card = f"[data-testid=job-card][data-case='{case['id']}']"
    page.wait_for_selector(card)
    assert page.locator("section.job-group").first.get_attribute("data-group") == "today"
    assert "Key box by the garage" in page.inner_text(card)
    assert page.get_attribute(f"{card} [data-testid=job-call]", "href") == "tel:+46701234567"
    assert "openstreetmap.org/search?query=Storgatan" in (
        page.get_attribute(f"{card} [data-testid=job-maps]", "href") or "")
    for target in ("[data-testid=job-step]", "[data-testid=job-call]", "[data-testid=job]"):
        size = page.locator(f"{card} {target}").bounding_box()
        assert size is not None and size["height"] >= 44, target
    page.locator(card).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "tech-my-jobs.png"))
    assert _small_targets(page, ".jobs") == []

    taps = Taps(page)
    # 1. Start, right on My jobs: the case moves and the installation report opens
    assert page.inner_text(f"{card} [data-testid=job-step]") == "Start"
    taps.click(f"{card} [data-testid=job-step]")
    page.wait_for_url(f"**/cases/{case['id']}/forms/installation_report")
    page.wait_for_load_state("load")
    # 2-3. time and material: the row fills its date, work type and quantity
    taps.type_into("input[name=time-0-hours]", "6,5")
    assert page.input_value("select[name=time-0-labor]") == "install"
    assert page.input_value("input[name=time-0-date]") != ""
    taps.type_into("input[name=materials-0-article]", "FLT-MAG22")
    assert page.input_value("input[name=materials-0-quantity]") == "1"
    # 4-7. the work, a photo, the customer's signature and name (asked once)
    taps.type_into("textarea[name=work_description]", "Installed the filter and the pump")
    taps.choose_file("input[data-photo-input=photos]", _photo())
    page.wait_for_selector("input[name=photos-0]", state="attached")
    taps.draw_signature()
    taps.type_into("input[name=customer_signature-name]", "Lena Berg")
    assert page.locator("[data-field=customer_name]").is_hidden()
    assert _on_first_screen(page, "[data-testid=submit-final]")  # the bar stays at the bottom
    page.screenshot(path=str(SHOTS / "tech-form.png"))
    assert _small_targets(page, "#capture-form") == []
    # 8. Submit: the commissioning protocol opens next
    taps.click("[data-testid=submit-final]")
    page.wait_for_url(f"**/cases/{case['id']}/forms/commissioning_protocol")
    page.wait_for_load_state("load")
    # 9-11. the protocol's three required answers
    taps.type_into("input[name=flow_temperature]", "35")
    taps.click("label.choice-btn:has(input[name=leak_test_passed][value=true])")
    taps.type_into("input[name=commissioning_date]", datetime.now(UTC).date().isoformat())
    # 12. Submit and complete
    assert _on_first_screen(page, "[data-testid=submit-and-complete]")
    taps.click("[data-testid=submit-and-complete]")
    page.wait_for_url(f"**/cases/{case['id']}")
    page.wait_for_selector("text=Done: Complete.")

    assert taps.count <= MAX_TAPS, taps.log
    assert taps.count == 12, taps.log  # the number written in docs/pages.md
    _, now = api.call("GET", f"/api/v1/cases/{case['id']}")
    assert now["status"] == "work_done"
    finals = api.call("GET", f"/api/v1/cases/{case['id']}/submissions")[1]["items"]
    report = next(s for s in finals if s["form"] == "installation_report")
    assert report["kind"] == "final"
    assert report["data"]["time"] == [{"date": report["data"]["time"][0]["date"],
                                       "hours": "6.5", "labor": "install"}]
    assert report["data"]["materials"] == [{"article": "FLT-MAG22", "quantity": "1"}]
    assert report["data"]["customer_signature"]["name"] == "Lena Berg"
    assert report["data"]["customer_name"] == "Lena Berg"
    protocol = next(s for s in finals if s["form"] == "commissioning_protocol")
    assert "time" not in protocol["data"]  # its untouched time row was not sent
    page.screenshot(path=str(SHOTS / "tech-case-done.png"))
    assert errors == []
    context.close()


def test_untouched_rows_and_failed_photos_never_block_submit(
        demo_server: DemoServer, browser: Any) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech = Api(demo_server.url, demo_token(demo_server, "tove@nordvarme.test"))
    case = _job_today(api, f"Rows {uuid.uuid4().hex[:6]}")
    assert tech.call("POST", f"/api/v1/cases/{case['id']}/transitions",
                     {"transition": "start"})[0] == 200
    context, page, errors = _phone(browser, demo_server)
    page.goto(f"{demo_server.url}/cases/{case['id']}/forms/installation_report")
    page.wait_for_load_state("load")
    page.fill("input[name=time-0-hours]", "2")
    page.click("[data-testid=add-time]")  # an extra row nobody types in
    page.click("[data-testid=add-materials]")
    assert page.input_value("input[name=time-1-date]") == ""  # nothing prefilled
    # typed in and cleared again: only the page's own fills are left, still no line,
    # also after a reload restores the copy kept on the phone
    page.fill("input[name=time-1-hours]", "3")
    page.fill("input[name=time-1-hours]", "")
    assert page.input_value("input[name=time-1-date]") != ""
    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_selector("input[name=time-1-date]")
    assert page.input_value("input[name=time-1-date]") != ""
    page.fill("textarea[name=work_description]", "Replaced the valve")

    # the first upload is refused, the retry goes through
    state = {"fail": True}

    def flaky(route: Any) -> None:
        if state["fail"]:
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": "The server is busy."}')
        else:
            route.continue_()

    page.route("**/cases/*/attachments", flaky)
    page.set_input_files("input[data-photo-input=photos]", files=_photo("first.jpg"))
    failed = page.locator("li.photo.upload-failed")
    failed.wait_for()
    assert "Not uploaded: The server is busy." in failed.inner_text()
    failed.scroll_into_view_if_needed()
    page.locator("div.cf[data-field=photos]").screenshot(path=str(SHOTS / "tech-photo-failed.png"))
    state["fail"] = False
    failed.locator("[data-retry-photo]").click()
    page.wait_for_selector("input[name=photos-0]", state="attached")
    assert page.locator("li.photo.upload-failed").count() == 0
    # a second photo fails and is dropped; a third fails and is left: Submit still sends
    state["fail"] = True
    page.set_input_files("input[data-photo-input=photos]", files=_photo("second.jpg"))
    page.locator("li.photo.upload-failed").wait_for()
    page.locator("li.photo.upload-failed [data-remove-photo]").click()
    assert page.locator("li.photo.upload-failed").count() == 0
    page.set_input_files("input[data-photo-input=photos]", files=_photo("third.jpg"))
    page.locator("li.photo.upload-failed").wait_for()

    # the typed-name signature, for a signer who cannot draw
    state["fail"] = False
    page.fill("input[name=customer_signature-name]", "Lena Berg")
    page.click("[data-testid=signature-typed-customer_signature]")
    page.wait_for_selector("text=Typed signature saved (not drawn).")
    page.click("[data-testid=submit-final]")
    page.wait_for_url(f"**/cases/{case['id']}/forms/commissioning_protocol")

    items = api.call("GET", f"/api/v1/cases/{case['id']}/submissions")[1]["items"]
    report = next(s for s in items if s["form"] == "installation_report")
    assert report["kind"] == "final"
    assert [r["hours"] for r in report["data"]["time"]] == ["2"]
    assert "materials" not in report["data"] and len(report["data"]["photos"]) == 1
    assert report["data"]["customer_signature"]["name"] == "Lena Berg"
    page.goto(f"{demo_server.url}/cases/{case['id']}")
    assert "Typed, not drawn" in page.inner_text(
        "[data-testid=signature-installation_report]")  # marked where it is shown
    assert errors == []
    context.close()


def test_on_my_way_and_the_work_timer(demo_server: DemoServer, browser: Any) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    case = _job_today(api, f"Timer {uuid.uuid4().hex[:6]}")
    context, page, errors = _phone(browser, demo_server)
    page.goto(demo_server.url + "/my")
    card = f"[data-testid=job-card][data-case='{case['id']}']"
    page.click(f"{card} [data-testid=job-on-my-way]")
    page.wait_for_selector(f"text=On my way: noted for {case['number']} and the customer is told.")
    assert page.locator(f"{card} [data-testid=job-on-my-way]").count() == 0
    events = api.call("GET", f"/api/v1/cases/{case['id']}/events")[1]["items"]
    assert events[-1]["action"] == "on_my_way"

    page.click(f"{card} [data-testid=job-step]")  # Start
    page.wait_for_url(f"**/cases/{case['id']}/forms/installation_report")
    page.goto(f"{demo_server.url}/cases/{case['id']}")
    assert _on_first_screen(page, "[data-next-step]")
    page.click("[data-testid=timer-start]")
    page.wait_for_selector("text=Timer started")
    page.reload()
    page.wait_for_selector("[data-testid=timer-stop]")
    assert page.inner_text("[data-timer-elapsed]") == "Running for 0 min."
    page.screenshot(path=str(SHOTS / "tech-case.png"))
    assert _small_targets(page, ".case-actions") + _small_targets(page, ".case-work") + \
        _small_targets(page, ".case-contact") + _small_targets(page, ".case-reports") == []
    # the same technician on another device sees the timer running and stops it
    other, other_page, other_errors = _phone(browser, demo_server)
    other_page.goto(f"{demo_server.url}/cases/{case['id']}")
    assert "Work timer running" in other_page.inner_text("[data-testid=timer]")
    other_page.click("[data-testid=timer-stop]")
    other_page.wait_for_selector("text=0.25 h added to the draft of Installation report.")
    other_page.click("[data-testid=form-installation_report]")
    other_page.wait_for_load_state("load")
    assert other_page.input_value("input[name=time-0-hours]") == "0.25"
    assert other_page.input_value("select[name=time-0-labor]") == "install"
    assert errors == [] and other_errors == []
    other.close()
    context.close()
