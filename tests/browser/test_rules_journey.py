"""The rules journey of issue 6 in a real browser against ``workorders demo``.

The technician sends a final installation report with 17 hours and no customer
signature from the form page; the case page says why it cannot be invoiced; the
coordinator finds the exception (with the rule's trace in words) in the queue
and the overtime approval in the inbox, and approves it; the technician's
correction adds the signature, so the rule closes the exception by itself; once
the work is complete the case is ready to invoice, and the history tells every
step.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import (
    LENA,
    STREET,
    book_by_api,
    demo_token,
    new_context,
    sideways_overflow,
    sign,
    sign_in_as,
    watch_dialogs,
)
from tests.browser.helpers import DemoApi as Api
from tests.support.capture import jpeg_bytes

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))


def _scheduled_installation(api: Api, title: str) -> dict[str, Any]:
    """An eight-hour job for Tove, scheduled, whose customer has the ERP id,
    organisation number, VAT id and address the rules and exports read."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return book_by_api(api, title, start, start + timedelta(hours=8),
                       assignee="tove@nordvarme.test", schedule=True,
                       customer={**LENA, "erp_id": "C-1001", "org_number": "5561234567",
                                 "vat_id": "SE556123456701", "address": STREET})


def _report_without_signature(page: Any) -> None:
    page.select_option("select[name=time-0-labor]", "install")
    page.fill("input[name=time-0-hours]", "16")
    page.click("[data-testid=add-time]")
    page.select_option("select[name=time-1-labor]", "travel")
    page.fill("input[name=time-1-hours]", "1")
    page.fill("input[name=materials-0-article]", "CU15")
    page.fill("input[name=materials-0-quantity]", "12")
    page.fill("textarea[name=work_description]", "Installed the F2120; a long day.")
    page.click("label.choice-btn:has(input[name=installed_heat_pump][value=true])")
    page.wait_for_selector("input[name=heat_pump_serial]", state="visible")
    page.fill("input[name=heat_pump_serial]", "F2120-0042")
    page.set_input_files("input[data-photo-input=photos]", files=[
        {"name": "installation.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    page.wait_for_selector("li.photo:not(.uploading) img")


def _words(text: str) -> str:
    return re.sub(r"[\s:_]+", " ", text.lower())


def test_overtime_and_missing_signature_through_queue_inbox_and_correction(
        demo_server: DemoServer, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    office_api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech_api = Api(demo_server.url, demo_token(demo_server, "tove@nordvarme.test"))
    case = _scheduled_installation(office_api, f"Rules journey {uuid.uuid4().hex[:8]}")
    cid, number = case["id"], case["number"]
    case_url = f"{demo_server.url}/cases/{cid}"

    # the technician sends the report: 16 + 1 hours, no signature
    phone = new_context(browser, phone=True)
    tech = phone.new_page()
    fired = watch_dialogs(tech)
    sign_in_as(tech, demo_server, "technician")
    tech.goto(case_url)
    tech.click("[data-testid=transition-start]")
    tech.wait_for_selector("text=Done: Start")
    tech.click("[data-testid=fill-installation_report]")
    tech.wait_for_selector("h1:has-text('Installation report')")
    _report_without_signature(tech)
    tech.click("[data-testid=submit-final]")
    tech.wait_for_selector("text=Sent: Installation report, revision 1.")

    # the case page says why it cannot be invoiced: both reasons
    tech.goto(case_url)
    readiness = tech.inner_text("[data-testid=readiness]")
    assert "Why not ready to invoice" in readiness
    assert "Waiting for approval by a coordinator" in readiness
    assert "No customer signature" in readiness
    tech.screenshot(path=str(SHOTS / "case-not-ready-phone.png"), full_page=True)
    outcomes = tech.inner_text("[data-testid=case-outcomes]")
    assert "MISSING_SIGNATURE" in outcomes and "Total hours 17 is more than 16" in outcomes

    # the coordinator: the exception in the queue, with the trace in words
    office = new_context(browser)
    desk = office.new_page()
    fired += watch_dialogs(desk)
    sign_in_as(desk, demo_server, "coordinator")
    assert int(desk.inner_text("[data-testid=nav-exceptions] .nav-count")) >= 1
    assert int(desk.inner_text("[data-testid=nav-approvals] .nav-count")) >= 1
    desk.click("[data-testid=nav-exceptions]")
    row = desk.locator("[data-testid=exception]", has_text=number)
    assert row.count() == 1
    assert "MISSING_SIGNATURE" in row.inner_text()
    row.locator("[data-testid=details-open]").click()  # the compact row unfolds
    assert "Customer signature is missing" in row.inner_text()
    desk.screenshot(path=str(SHOTS / "exceptions-desktop.png"), full_page=True)
    row.locator("[data-testid=assign-me]").click()
    desk.wait_for_selector(f"text=MISSING_SIGNATURE on {number}: assigned to Carl Coordinator.")
    row = desk.locator("[data-testid=exception]", has_text=number)
    assert "Carl Coordinator" in row.locator("[data-testid=assignee]").inner_text()

    # ... and the approval in the inbox, approved with a comment
    desk.click("[data-testid=nav-approvals]")
    item = desk.locator("[data-testid=approval]", has_text=number)
    item.locator("[data-testid=details-open]").click()
    assert "17 h reported on " + number in item.inner_text()
    assert "Total hours 17 is more than 16" in item.inner_text()
    desk.screenshot(path=str(SHOTS / "approvals-desktop.png"), full_page=True)
    item.locator("textarea").fill("Agreed with the customer: two heat pumps' worth of work")
    item.locator("[data-testid=approve]").click()
    desk.wait_for_selector(f"text=Approved on {number}.")
    assert desk.locator("[data-testid=approval]", has_text=number).count() == 0

    # the technician's correction adds the signature: the rule closes the exception
    tech.goto(case_url)
    tech.click("[data-testid=correct-installation_report]")
    sign(tech)
    tech.fill("input[name=customer_signature-name]", "Lena Berg")
    tech.fill("textarea[name=_reason]", "The customer signed when I came back")
    tech.click("[data-testid=save-correction]")
    tech.wait_for_selector("text=Correction saved: Installation report, revision 2.")

    desk.goto(f"{demo_server.url}/exceptions?status=resolved_by_rule&case={cid}")
    row = desk.locator("[data-testid=exception]", has_text=number)
    assert row.count() == 1 and row.get_attribute("data-status") == "resolved_by_rule"
    assert "Resolved by the rule" in row.inner_text()
    desk.goto(f"{demo_server.url}/exceptions?case={cid}")
    assert desk.locator("[data-testid=exception]").count() == 0  # nothing open on the case
    desk.goto(case_url)
    readiness = desk.inner_text("[data-testid=readiness]")
    assert "signature" not in readiness.lower() and "approval" not in readiness.lower()

    # the rest of the work is done, and the case is ready to invoice
    final = next(s for s in tech_api.call("GET", f"/api/v1/cases/{cid}/submissions")[1]["items"]
                 if s["form"] == "installation_report" and s["kind"] == "correction")
    signature = final["data"]["customer_signature"]
    status, _ = tech_api.call("POST", f"/api/v1/cases/{cid}/submissions", {
        "form": "commissioning_protocol",
        "data": {"flow_temperature": "45", "leak_test_passed": True,
                 "commissioning_date": datetime.now(UTC).date().isoformat(),
                 "customer_signature": signature}})
    assert status == 201
    tech.goto(case_url)
    tech.click("[data-testid=transition-complete]")
    tech.wait_for_selector("text=Done: Complete")
    desk.goto(case_url)
    assert "Ready to invoice" in desk.inner_text("[data-testid=readiness]")

    desk.screenshot(path=str(SHOTS / "case-after-rules-desktop.png"), full_page=True)
    history = _words(desk.inner_text("[data-testid=timeline]"))
    for step in ("approval requested from a coordinator",
                 "exception missing signature raised (high)", "invoicing blocked by a rule",
                 "approved", "agreed with the customer", "assigned to",
                 "closed the rule no longer applies", "invoicing block lifted",
                 "the customer signed when i came back"):
        assert step in history, step
    # newest first: the rule closed the exception after the approval was given
    assert history.index("closed the rule no longer applies") < history.index("approved")
    assert fired == []
    office.close()
    phone.close()


def test_queue_and_inbox_on_a_phone(demo_server: DemoServer, browser: Any) -> None:
    """Both pages fit a phone's width and their buttons are thumb-sized."""
    office_api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    tech_api = Api(demo_server.url, demo_token(demo_server, "tove@nordvarme.test"))
    case = _scheduled_installation(office_api, f"Phone check {uuid.uuid4().hex[:8]}")
    cid = case["id"]
    tech_api.call("POST", f"/api/v1/cases/{cid}/transitions", {"transition": "start"})
    photo = tech_api.upload(cid, "site.jpg", jpeg_bytes())
    status, body = tech_api.call("POST", f"/api/v1/cases/{cid}/submissions", {
        "form": "installation_report",
        "data": {"time": [{"date": datetime.now(UTC).date().isoformat(), "hours": "18",
                           "labor": "install"}],
                 "work_description": "Long install, many metres of pipe",
                 "installed_heat_pump": False, "photos": [photo],
                 "materials": [{"article": "CU15", "quantity": "60"}]}})
    assert status == 201, body
    phone = new_context(browser, phone=True)
    page = phone.new_page()
    fired = watch_dialogs(page)
    sign_in_as(page, demo_server, "coordinator")
    page.goto(f"{demo_server.url}/exceptions?case={cid}")
    row = page.locator("[data-testid=exception]", has_text="BULK_MATERIAL")
    assert page.locator("[data-testid=exception]").count() == 2  # and MISSING_SIGNATURE
    assert sideways_overflow(page) == []
    box = row.locator("[data-testid=assign-me]").bounding_box()
    assert box is not None and box["height"] >= 36
    page.screenshot(path=str(SHOTS / "exceptions-phone.png"), full_page=True)
    page.goto(f"{demo_server.url}/approvals")
    item = page.locator("[data-testid=approval]", has_text=case["number"])
    item.locator("[data-testid=details-open]").click()
    assert "Total hours 18 is more than 16" in item.inner_text()
    for button in ("approve", "reject"):
        box = item.locator(f"[data-testid={button}]").bounding_box()
        assert box is not None and box["height"] >= 44
    assert sideways_overflow(page) == []
    page.screenshot(path=str(SHOTS / "approvals-phone.png"), full_page=True)
    assert fired == []
    phone.close()
