"""One rule, one outcome per case; drafts only preview; the case API shows what is
open. On both databases, through the API, with the shipped heat-pump example."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import ROOT, publish_example
from tests.support.world import World

UNSIGNED_PROTOCOL = {"flow_temperature": "45", "leak_test_passed": True,
                     "commissioning_date": "2026-11-26"}
OVERTIME_ON_SUBMIT = "on: [submit]\n    when: {fact: totals.hours, op: gt, value: 16}"


def _publish(world: World, source: str) -> None:
    from workorders.platform.services.definitions import create_draft, publish_version

    with world.app.app_context():
        draft = create_draft(world.a.tenant_id, source.encode(), world.a.emails["admin"])
        publish_version(world.a.tenant_id, draft.number, world.a.emails["admin"])


def _example_with(old: str, new: str) -> str:
    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text()
    assert old in source
    return source.replace(old, new)


def _post(world: World, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = world.api("technician").post(path, json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return dict(resp.json)


def _submit(world: World, case_id: int, form: str, data: dict[str, Any],
            draft: bool = False) -> dict[str, Any]:
    return _post(world, f"/api/v1/cases/{case_id}/submissions",
                 {"form": form, "data": data, "draft": draft})


def _open_codes(world: World, case_id: int) -> list[str]:
    items = world.api().get(f"/api/v1/exceptions?case_id={case_id}&status=open").json["items"]
    return sorted(e["code"] for e in items)


def _blocker_rules(world: World, case_id: int) -> list[tuple[str, str | None]]:
    blockers = world.api().get(f"/api/v1/cases/{case_id}").json["invoice"]["blockers"]
    return sorted((b["kind"], b.get("rule")) for b in blockers if b["kind"] != "work")


@pytest.fixture
def job(world: World) -> tuple[World, dict[str, Any], str]:
    publish_example(world)
    case = started_case(world)
    return world, case, upload(world, case["id"], jpeg_bytes()).json["id"]


def test_a_form_rule_raises_one_exception_per_case_whichever_forms_set_it_off(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    cid = case["id"]
    _submit(world, cid, "installation_report", report(photo))
    second = _submit(world, cid, "commissioning_protocol", UNSIGNED_PROTOCOL)
    assert second["evaluation"]["exceptions_opened"] == []
    assert _open_codes(world, cid) == ["MISSING_SIGNATURE"]
    assert _blocker_rules(world, cid) == [("block", "missing_signature"),
                                          ("exception", "missing_signature")]


def test_the_case_outcome_stays_open_while_any_form_still_makes_the_rule_fire(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    cid = case["id"]
    first = _submit(world, cid, "installation_report", report(photo))
    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    signed = {**UNSIGNED_PROTOCOL, "customer_signature": {"image": signature, "name": "Lena"}}
    _submit(world, cid, "commissioning_protocol", signed)
    assert _open_codes(world, cid) == ["MISSING_SIGNATURE"]  # the report is still unsigned
    _post(world, f"/api/v1/submissions/{first['submission']['id']}/corrections",
          {"data": report(photo, signature), "reason": "signed on paper"})
    assert _open_codes(world, cid) == []
    assert _blocker_rules(world, cid) == []


def test_a_rule_marked_per_form_keeps_one_outcome_for_each_form(world: World) -> None:
    _publish(world, _example_with(
        "  - id: missing_signature\n",
        "  - id: missing_signature\n    per: form\n"))
    case = started_case(world)
    cid = case["id"]
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    _submit(world, cid, "installation_report", report(photo))
    _submit(world, cid, "commissioning_protocol", UNSIGNED_PROTOCOL)
    assert _open_codes(world, cid) == ["MISSING_SIGNATURE", "MISSING_SIGNATURE"]


def test_a_draft_is_previewed_for_the_technician_and_stores_no_outcome(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    cid = case["id"]
    draft = _submit(world, cid, "installation_report", report(photo, hours="16"), draft=True)
    evaluation = draft["evaluation"]
    assert evaluation["exceptions_opened"] == evaluation["approvals_requested"] == []
    preview = evaluation["preview"]
    assert {f["rule"] for f in preview["fired"]} == {"overtime_needs_approval",
                                                      "missing_signature"}
    assert [(o["kind"], o["rule"]) for o in preview["outcomes"]] == [
        ("require_approval", "overtime_needs_approval"), ("block_invoicing", "missing_signature"),
        ("raise_exception", "missing_signature")]
    assert _open_codes(world, cid) == []
    assert _blocker_rules(world, cid) == []
    assert world.api("coordinator").get("/api/v1/approvals?status=pending").json["items"] == []


def test_a_rule_on_drafts_stores_its_outcome_from_a_draft(world: World) -> None:
    _publish(world, _example_with(OVERTIME_ON_SUBMIT, OVERTIME_ON_SUBMIT.replace(
        "[submit]", "[draft, submit]")))
    case = started_case(world)
    cid = case["id"]
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    draft = _submit(world, cid, "installation_report", report(photo, hours="16"), draft=True)
    assert [a["rule"] for a in draft["evaluation"]["approvals_requested"]] == [
        "overtime_needs_approval"]
    assert _blocker_rules(world, cid) == [("approval", "overtime_needs_approval")]


def test_the_case_answers_its_open_exceptions_and_pending_approvals(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    cid = case["id"]
    _submit(world, cid, "installation_report", report(photo, hours="16"))
    body = world.api("viewer").get(f"/api/v1/cases/{cid}").json
    [exception] = body["open_exceptions"]
    assert (exception["code"], exception["rule"], exception["status"]) == (
        "MISSING_SIGNATURE", "missing_signature", "open")
    assert exception["message"] == f"{case['number']} has no customer signature"
    [approval] = body["pending_approvals"]
    assert (approval["rule"], approval["approver"], approval["status"]) == (
        "overtime_needs_approval", "role:coordinator", "pending")
    world.api("coordinator").post(f"/api/v1/approvals/{approval['id']}/decision",
                                  json={"decision": "approve"})
    world.api("coordinator").post(f"/api/v1/exceptions/{exception['id']}/resolve",
                                  json={"note": "signed on paper"})
    after = world.api("viewer").get(f"/api/v1/cases/{cid}").json
    assert after["open_exceptions"] == after["pending_approvals"] == []
    listed = world.api().get("/api/v1/cases").json["items"]
    assert [c["open_exceptions"] for c in listed if c["id"] == cid] == [[]]


def test_a_simulation_names_a_case_wide_outcome_once(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    _submit(world, case["id"], "installation_report", report(photo, hours="10"))
    _submit(world, case["id"], "commissioning_protocol", UNSIGNED_PROTOCOL)
    lowered = _example_with("value: 16}", "value: 8}")  # overtime from 8 h: the case changes
    draft = world.api("admin").post("/api/v1/definitions", data=lowered,
                                    headers={"Content-Type": "application/yaml"})
    assert draft.status_code == 201, draft.get_data(as_text=True)
    result = world.api("admin").post(f"/api/v1/definitions/{draft.json['version']}/simulate")
    [change] = result.json["changed"]
    for side in ("before", "after"):
        blockers = change[side]["blockers"]
        assert len([b for b in blockers if b.startswith("MISSING_SIGNATURE")]) == 1, blockers
        assert blockers.count("No customer signature") == 1, blockers


def test_the_form_page_tells_the_technician_what_submitting_the_draft_would_raise(
        job: tuple[World, dict[str, Any], str]) -> None:
    from tests.integration.test_capture_pages import login, pairs, post_form, text

    world, case, photo = job
    client = login(world, "technician")
    saved = post_form(client, case["id"], pairs(report(photo, hours="16"), "draft"))
    assert saved.status_code == 302
    page = " ".join(text(client.get(f"/cases/{case['id']}/forms/installation_report")).split())
    assert "If you submit it now: Waiting for approval by " in page  # the readiness wording
    assert f"coordinator: 17 h reported on {case['number']}; No customer signature; " \
           f"MISSING_SIGNATURE (high): {case['number']} has no customer signature." in page
    assert _open_codes(world, case["id"]) == []
