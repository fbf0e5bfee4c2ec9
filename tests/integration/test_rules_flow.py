"""Rules on every submission: the issue's journey through the API, on both
databases, with the real durable-rules engine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.capture import (
    jpeg_bytes,
    png_bytes,
    report,
    started_case,
    unresolved_service_visit,
    upload,
)
from tests.support.cases import publish_example
from tests.support.outbox import approval_email, plain_text, sms_texts
from tests.support.world import World

COMMISSIONING = {"flow_temperature": "45", "leak_test_passed": True,
                 "commissioning_date": "2026-11-26"}


@pytest.fixture
def job(world: World) -> tuple[World, dict[str, Any], str]:
    publish_example(world)
    case = started_case(world)
    return world, case, upload(world, case["id"], jpeg_bytes()).json["id"]


def _submit(world: World, case_id: int, form: str, data: dict[str, Any]) -> dict[str, Any]:
    resp = world.api("technician").post(f"/api/v1/cases/{case_id}/submissions",
                                        json={"form": form, "data": data})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return dict(resp.json)


def test_overtime_without_signature_then_approval_and_correction(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    cid = case["id"]
    result = _submit(world, cid, "installation_report", report(photo, hours="16"))
    evaluation = result["evaluation"]
    fired = {f["rule"]: f for f in evaluation["fired"]}
    assert set(fired) == {"overtime_needs_approval", "missing_signature"}
    sentence = [t["text"] for t in fired["overtime_needs_approval"]["trace"]]
    assert sentence == ["Total hours 17 is more than 16"]
    assert [e["code"] for e in evaluation["exceptions_opened"]] == ["MISSING_SIGNATURE"]
    [approval] = evaluation["approvals_requested"]
    assert approval["approver"] == "role:coordinator"
    kinds = {(b["kind"], b["rule"]) for b in evaluation["invoice"]["blockers"]}
    assert {("block", "missing_signature"), ("approval", "overtime_needs_approval"),
            ("exception", "missing_signature")} <= kinds

    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    signed = {"customer_signature": {"image": signature, "name": "Lena Berg"}}
    commissioning = _submit(world, cid, "commissioning_protocol", {**COMMISSIONING, **signed})
    assert commissioning["evaluation"]["approvals_requested"] == []  # the case's, not twice
    world.api("technician").post(f"/api/v1/cases/{cid}/transitions",
                                 json={"transition": "complete"})

    assert_problem(world.api("technician").post(
        f"/api/v1/approvals/{approval['id']}/decision", json={"decision": "approve"}), 403)
    decided = world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                            json={"decision": "approve", "comment": "Agreed"})
    assert decided.status_code == 200 and decided.json["status"] == "approved"

    sub_id = world.api().get(f"/api/v1/cases/{cid}/submissions").json["items"]
    final_id = next(s["id"] for s in sub_id if s["form"] == "installation_report")
    fix = world.api("coordinator").post(f"/api/v1/submissions/{final_id}/corrections", json={
        "data": report(photo, signature, hours="16"), "reason": "Customer signed on paper"})
    assert fix.status_code == 201, fix.json
    closed = fix.json["evaluation"]["exceptions_closed"]
    assert [(e["code"], e["status"]) for e in closed] == [("MISSING_SIGNATURE",
                                                           "resolved_by_rule")]
    assert fix.json["evaluation"]["approvals_requested"] == []  # decided: not asked again
    invoice = world.api().get(f"/api/v1/cases/{cid}").json["invoice"]
    assert invoice == {"ready": True, "blockers": []}

    actions = [e["action"] for e in world.api().get(f"/api/v1/cases/{cid}/events").json["items"]]
    for expected in ("approval:requested", "exception:opened", "invoicing:blocked",
                     "approval:approved", "exception:resolved_by_rule", "invoicing:unblocked"):
        assert expected in actions, expected


def test_a_still_firing_rule_is_not_duplicated(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    final = _submit(world, case["id"], "installation_report", report(photo))
    again = world.api("technician").post(
        f"/api/v1/submissions/{final['submission']['id']}/corrections",
        json={"data": report(photo, hours="5"), "reason": "fewer hours"})
    assert again.json["evaluation"]["exceptions_opened"] == []
    items = world.api().get(f"/api/v1/exceptions?case_id={case['id']}&status=open").json["items"]
    assert [e["code"] for e in items] == ["MISSING_SIGNATURE"]


def test_exceptions_queue_resolve_override_reopen(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    _submit(world, case["id"], "installation_report", report(photo))
    [exc] = world.api("coordinator").get("/api/v1/exceptions?status=open").json["items"]
    assert exc["explanation"] and exc["case_number"] == case["number"]
    eid = exc["id"]
    assert_problem(world.api("technician").post(f"/api/v1/exceptions/{eid}/override",
                                                json={"reason": "no"}), 403)
    assigned = world.api("coordinator").post(f"/api/v1/exceptions/{eid}/assign",
                                             json={"user": "coordinator@alpha.test"})
    assert assigned.json["assigned_to"] == "coordinator@alpha.test"
    mine = world.api("coordinator").get("/api/v1/exceptions?assigned_to=me").json["items"]
    assert [e["id"] for e in mine] == [eid]
    version = assigned.json["version"]
    overridden = world.api("coordinator").post(f"/api/v1/exceptions/{eid}/override",
                                               json={"reason": "Signed on paper, scanned"},
                                               headers={"If-Match": f'"{version}"'})
    assert overridden.json["status"] == "overridden"
    assert_problem(world.api("coordinator").post(f"/api/v1/exceptions/{eid}/resolve",
                                                 json={"note": "x"}), 409)
    assert_problem(world.api("coordinator").post(f"/api/v1/exceptions/{eid}/reopen",
                                                 headers={"If-Match": '"1"'}), 412)
    reopened = world.api("coordinator").post(f"/api/v1/exceptions/{eid}/reopen")
    assert reopened.json["status"] == "open"
    resolved = world.api("coordinator").post(f"/api/v1/exceptions/{eid}/resolve",
                                             json={"note": "Customer signed"})
    assert resolved.json["status"] == "resolved" and resolved.json["note"] == "Customer signed"


def test_a_rejection_raises_an_exception(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    result = _submit(world, case["id"], "installation_report", report(photo, hours="20"))
    [approval] = result["evaluation"]["approvals_requested"]
    resp = world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                         json={"decision": "reject", "comment": "Too many"})
    assert resp.json["status"] == "rejected"
    codes = [e["code"] for e in world.api().get(
        f"/api/v1/exceptions?case_id={case['id']}").json["items"]]
    assert "APPROVAL_REJECTED" in codes
    assert_problem(world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                                 json={"decision": "approve"}), 409)


def test_transition_rules_notify_the_customer(world: World) -> None:
    publish_example(world)
    case = started_case(world)
    [sms] = [m for m in sms_texts(world.app) if m.startswith("To: +46701234567")]  # a phone
    assert "Lena Berg" in sms and "/status/" in sms
    public_url = world.app.extensions["workorders.settings"].public_url
    status_url = sms.split(public_url, 1)[1].split()[0]
    page = world.app.test_client().get(status_url)  # no login: a signed customer link
    assert page.status_code == 200 and case["number"] in page.get_data(as_text=True)
    assert world.app.test_client().get(status_url + "x").status_code == 404


def test_engine_failure_fails_closed_and_keeps_the_submission(
        job: tuple[World, dict[str, Any], str], monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.services import rules_runtime
    from workorders.rules import RuleEngineError

    world, case, photo = job

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuleEngineError("engines disagree (simulated)")

    monkeypatch.setattr(rules_runtime, "evaluate", broken)
    result = _submit(world, case["id"], "installation_report", report(photo))
    assert result["submission"]["kind"] == "final"
    assert [e["code"] for e in result["evaluation"]["exceptions_opened"]] == ["RULES_FAILED"]
    assert result["evaluation"]["invoice"]["ready"] is False


def test_customer_approval_by_signed_link_works_once(world: World) -> None:
    import re

    publish_example(world)
    case = started_case_of_type(world, "service")
    data = unresolved_service_visit()
    result = _submit(world, case["id"], "service_visit", data)
    [approval] = result["evaluation"]["approvals_requested"]
    assert approval["approver"] == "customer"
    assert_problem(world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                                 json={"decision": "approve"}), 403)
    mail = approval_email(world.app)
    link = re.search(r"https?://[^/\s]+(/approve/\S+)", plain_text(mail))
    assert link and mail["To"] == "lena@example.test"
    client = world.app.test_client()
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Approve" in page.get_data(as_text=True)
    client.post(link.group(1), data={"approve": "Approve", "comment": "Go ahead"})
    decided = world.api().get(f"/api/v1/approvals/{approval['id']}").json
    assert decided["status"] == "approved"
    assert decided["decided_by"] == "customer:lena@example.test"
    again = client.post(link.group(1), data={"reject": "Reject"}, follow_redirects=True)
    assert "was approved" in again.get_data(as_text=True)
    assert world.api().get(f"/api/v1/approvals/{approval['id']}").json["status"] == "approved"
    assert client.get(link.group(1)[:-3] + "abc").status_code == 404


def started_case_of_type(world: World, case_type: str) -> dict[str, Any]:
    from tests.support.cases import book

    case = book(world, case_type=case_type, title="Service visit",
                fields={"under_warranty": False})
    world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})
    world.api("technician").post(f"/api/v1/cases/{case['id']}/transitions",
                                 json={"transition": "start"})
    return case
