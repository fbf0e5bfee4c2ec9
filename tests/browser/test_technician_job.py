"""A technician's whole job on a phone, in Chromium against ``workorders demo``:
open the job from My jobs, start it, fill time and material from the catalog,
take a photo, let the customer sign, lose the connection in the middle of
submitting, come back, and exactly one final report exists with the right
totals. Then a correction with a reason shows as revision 2 with its diff, and
HTML typed into the report stays text on the case page."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi as Api
from tests.browser.helpers import (
    book_by_api,
    demo_token,
    new_context,
    sign,
    sign_in_as,
    watch_dialogs,
)
from tests.browser.test_case_journey import EVIL
from tests.support.processes import ROOT

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))


def _coordinator_token(server: DemoServer) -> str:
    return demo_token(server, "carl@nordvarme.test")


def _scheduled_job(api: Api, title: str) -> dict[str, Any]:
    """A six-hour job for Tove starting in an hour, scheduled."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return book_by_api(api, title, start, start + timedelta(hours=6),
                       assignee="tove@nordvarme.test", schedule=True)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 110, 180)).save(out, format="JPEG")
    return out.getvalue()


def _fill_report(page: Any) -> None:
    page.select_option("select[name=time-0-labor]", "install")
    assert page.input_value("input[name=time-0-date]") != ""  # today, once the row is used
    page.fill("input[name=time-0-hours]", "6,5")  # a Swedish phone types a comma
    page.click("[data-testid=add-time]")
    page.select_option("select[name=time-1-labor]", "travel")
    page.fill("input[name=time-1-hours]", "1")
    page.fill("input[name=materials-0-article]", "CU15")
    page.fill("input[name=materials-0-quantity]", "12")
    assert "Copper pipe 15 mm" in page.inner_text("[data-article-hint]")
    page.fill("textarea[name=work_description]", EVIL)
    page.click("label.choice-btn:has(input[name=installed_heat_pump][value=true])")
    page.wait_for_selector("input[name=heat_pump_serial]", state="visible")
    page.fill("input[name=heat_pump_serial]", "F2120-0042")
    page.set_input_files("input[data-photo-input=photos]", files=[
        {"name": "installation.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.wait_for_selector("input[name=photos-0]", state="attached")
    page.wait_for_selector("li.photo:not(.uploading) img")
    sign(page)
    page.fill("input[name=customer_signature-name]", "Lena Berg")
    # the name is asked once: the bundle's own "name of the person signing" takes it
    assert page.locator("[data-field=customer_name]").is_hidden()
    assert page.input_value("input[name=customer_name]") == "Lena Berg"


def _finals(api: Api, case_id: int) -> list[dict[str, Any]]:
    items = api.call("GET", f"/api/v1/cases/{case_id}/submissions")[1]["items"]
    return [s for s in items if s["kind"] in ("final", "correction")]


def _hours(data: dict[str, Any]) -> Decimal:
    from workorders.definitions import load_bundle
    from workorders.forms import compute_totals

    bundle = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert bundle is not None
    form = bundle.form("installation_report")
    assert form is not None
    return Decimal(str(compute_totals([(form, data)], bundle).facts()["hours"]))


def test_a_technicians_whole_job_on_a_phone(demo_server: DemoServer, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    api = Api(demo_server.url, _coordinator_token(demo_server))
    title = f"Phone job {uuid.uuid4().hex[:8]}"
    case = _scheduled_job(api, title)
    case_url = f"{demo_server.url}/cases/{case['id']}"
    form_path = f"/cases/{case['id']}/forms/installation_report"

    phone = new_context(browser, phone=True)
    page = phone.new_page()
    page.set_default_timeout(30_000)  # the demo server shares two cores with the suite
    fired = watch_dialogs(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_as(page, demo_server, "technician")
    page.goto(demo_server.url + "/my")
    page.click(f"[data-testid=job]:has-text('{title}')")
    page.click("[data-testid=transition-start]")
    page.wait_for_selector("text=Done: Start")
    page.click("[data-testid=fill-installation_report]")
    page.wait_for_selector("h1:has-text('Installation report')")
    page.wait_for_load_state("load")  # the deferred page script is wired up

    _fill_report(page)
    assert "Saved on this phone" in page.inner_text("[data-testid=send-status]")
    page.screenshot(path=str(SHOTS / "form-phone.png"), full_page=True)

    # the first send reaches the server, but its answer is lost; then the phone is offline
    state = {"cut": True, "posts": 0}

    def flaky(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        state["posts"] += 1
        if state["posts"] == 1:
            route.fetch()  # the server stores the report ...
            route.abort("internetdisconnected")  # ... and the phone never hears back
        elif state["cut"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(f"**{form_path}", flaky)
    page.click("[data-testid=submit-final]")
    page.wait_for_selector("[data-testid=send-status]:has-text('Waiting for connection')")
    assert len(_finals(api, case["id"])) == 1  # stored once, although the phone does not know
    page.wait_for_timeout(5_000)  # a retry while still cut off
    assert state["posts"] >= 2
    phone.set_offline(True)
    state["cut"] = False
    phone.set_offline(False)  # back online: the page resends with the same key
    # sent, the technician goes on to the report the case still waits for
    page.wait_for_url(f"**/cases/{case['id']}/forms/commissioning_protocol")
    page.wait_for_selector("text=Sent: Installation report, revision 1.")
    page.goto(case_url)

    finals = _finals(api, case["id"])
    assert len(finals) == 1 and finals[0]["revision"] == 1
    data = finals[0]["data"]
    assert [t["hours"] for t in data["time"]] == ["6.5", "1"]
    assert _hours(data) == Decimal("7.5")
    assert data["materials"] == [{"article": "CU15", "quantity": "12"}]
    assert data["customer_signature"]["name"] == "Lena Berg" and len(data["photos"]) == 1

    # a correction with a reason becomes revision 2, with what changed
    page.click("[data-testid=correct-installation_report]")
    page.fill("input[name=time-0-hours]", "7")
    page.fill("textarea[name=_reason]", "The commissioning took another half hour")
    page.click("[data-testid=save-correction]", no_wait_after=True)
    # the page's script sends it and then opens the case's reports: give a busy machine time
    page.wait_for_url(f"**/cases/{case['id']}#reports", timeout=60_000)
    page.wait_for_selector("text=Correction saved: Installation report, revision 2.",
                           timeout=60_000)
    revision = page.locator("[data-testid=revision-2]")
    assert "Correction" in revision.inner_text()
    assert "The commissioning took another half hour" in revision.inner_text()
    diff = page.inner_text("[data-testid=diff-2]")
    assert "Time, row 1: Hours" in diff and "6,5" in diff and "7" in diff
    assert len(_finals(api, case["id"])) == 2

    # HTML typed into the report is text on the case page, for the coordinator too
    office = new_context(browser)
    desk = office.new_page()
    desk_fired = watch_dialogs(desk)
    sign_in_as(desk, demo_server, "coordinator")
    desk.goto(case_url)
    reports = desk.locator("[data-testid=report-installation_report]")
    assert EVIL in reports.inner_text()
    assert desk.locator("[data-testid=reports] img[src*=thumbnail]").count() == 1
    assert desk.locator("[data-testid=signature-installation_report] img").count() == 1
    reports.screenshot(path=str(SHOTS / "reports-desktop.png"))
    page.locator("[data-testid=reports]").screenshot(path=str(SHOTS / "reports-phone.png"))
    desk.goto(demo_server.url + form_path)
    desk.screenshot(path=str(SHOTS / "form-desktop.png"), full_page=True)
    assert fired == [] and desk_fired == [] and errors == []
    office.close()
    phone.close()
