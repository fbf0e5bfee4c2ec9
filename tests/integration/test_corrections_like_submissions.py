"""A correction is evaluated exactly like a submission: whatever was submitted
first, correcting to X leaves the case with the outcomes a first submission of X
gives. A property over the heat-pump example's installation report, on both
databases, with few examples so it stays quick."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import publish_example
from tests.support.world import World

#: a report's rule-relevant choices: install hours, signed or not, material quantity
Choice = tuple[int, bool, int]
choices = st.tuples(st.sampled_from([4, 16]), st.booleans(), st.sampled_from([1, 51]))


def _report(world: World, case_id: int, choice: Choice) -> dict[str, Any]:
    hours, signed, quantity = choice
    photo = upload(world, case_id, jpeg_bytes()).json["id"]
    signature = upload(world, case_id, png_bytes(), name="s.png").json["id"] if signed else None
    data = report(photo, signature, hours=str(hours))
    data["materials"] = [{"article": "HP-F2120-8", "quantity": str(quantity)}]
    return data


def _submit(world: World, case_id: int, data: dict[str, Any]) -> int:
    resp = world.api("technician").post(f"/api/v1/cases/{case_id}/submissions",
                                        json={"form": "installation_report", "data": data})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return int(resp.json["submission"]["id"])


def _outcomes(world: World, case_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """What is open on the case, without what names the case itself (its number)."""
    api = world.api()
    exceptions = api.get(f"/api/v1/exceptions?case_id={case_id}&status=open").json["items"]
    approvals = api.get(f"/api/v1/approvals?case_id={case_id}&status=pending").json["items"]
    blockers = api.get(f"/api/v1/cases/{case_id}").json["invoice"]["blockers"]
    return {"exceptions": sorted((e["rule"], e["code"], e["severity"]) for e in exceptions),
            "approvals": sorted((a["rule"], a["approver"]) for a in approvals),
            "blockers": sorted((b["kind"], b.get("rule") or "") for b in blockers)}


def test_a_correction_to_17_hours_asks_for_the_overtime_approval(world: World) -> None:
    publish_example(world)
    case = started_case(world)
    first = _submit(world, case["id"], _report(world, case["id"], (5, True, 1)))
    resp = world.api("technician").post(f"/api/v1/submissions/{first}/corrections", json={
        "data": _report(world, case["id"], (16, True, 1)), "reason": "forgot a day"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [a["rule"] for a in resp.json["evaluation"]["approvals_requested"]] == [
        "overtime_needs_approval"]
    assert _outcomes(world, case["id"])["approvals"] == [("overtime_needs_approval",
                                                          "role:coordinator")]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=choices, final=choices)
@example(first=(4, True, 1), final=(16, False, 51))  # the reported case, and more
def test_submit_then_correct_to_x_gives_the_outcomes_of_submitting_x(
        world: World, first: Choice, final: Choice) -> None:
    with world.app.app_context():
        from workorders.platform.services.definitions import current_version

        published = current_version(world.a.tenant_id) is not None
    if not published:
        publish_example(world)
    corrected, direct = started_case(world), started_case(world)
    submitted = _submit(world, corrected["id"], _report(world, corrected["id"], first))
    resp = world.api("technician").post(f"/api/v1/submissions/{submitted}/corrections", json={
        "data": _report(world, corrected["id"], final), "reason": "the right figures"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    _submit(world, direct["id"], _report(world, direct["id"], final))
    assert _outcomes(world, corrected["id"]) == _outcomes(world, direct["id"])
