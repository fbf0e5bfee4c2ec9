"""Working the exceptions queue quickly: bulk assign and resolve (item by item
through the row buttons' services, with a summary of what was left and why),
the search box and the counts per code."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.test_case_pages import login, text_of
from tests.integration.test_queue_pages import _exception, _items, _overtime_case
from tests.support.capture import unresolved_service_visit
from tests.support.cases import publish_example
from tests.support.world import World


def _said(html: str) -> str:
    found = re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no flash message"
    return " ".join(found)


def _three(world: World) -> list[dict[str, Any]]:
    publish_example(world)
    return [_overtime_case(world) for _ in range(3)]


def _bulk(client: Any, ids: list[Any], versions: dict[Any, int] | None = None,
          **data: Any) -> str:
    form: dict[str, Any] = {"ids": [str(i) for i in ids], **data}
    for eid, version in (versions or {}).items():
        form[f"version-{eid}"] = str(version)
    resp = client.post("/exceptions/bulk", data=form, follow_redirects=True)
    assert resp.status_code == 200, resp.status_code
    return text_of(resp)


def test_bulk_resolve_reports_done_stale_and_closed(world: World) -> None:
    made = _three(world)
    a, b, c = (m["exception"]["id"] for m in made)
    world.api("coordinator").post(f"/api/v1/exceptions/{b}/assign",
                                  json={"user": world.a.emails["admin"]})  # b is now v2
    client = login(world, "coordinator")
    html = _bulk(client, [a, b, c], {a: 1, b: 1, c: 1}, action="resolve", note="Signed on paper")
    said = _said(html)
    assert said.startswith("2 resolved.")
    assert "1 had changed meanwhile and was left as is" in said
    assert [_exception(world, e)["status"] for e in (a, b, c)] == ["resolved", "open", "resolved"]
    assert _exception(world, a)["note"] == "Signed on paper"
    # the closed ones are reported, never changed again
    html = _bulk(client, [a, b], {a: 2, b: 2}, action="resolve", note="Again")
    said = _said(html)
    assert said.startswith("1 resolved.") and "1 was already closed and left as is" in said
    assert _exception(world, a)["note"] == "Signed on paper"


def test_bulk_assign_to_a_person_and_back_to_the_role(world: World) -> None:
    made = _three(world)
    ids = [m["exception"]["id"] for m in made]
    client = login(world, "coordinator")
    admin = world.a.emails["admin"]
    said = _said(_bulk(client, ids, action="assign", assignee=admin))
    assert said.startswith("3 assigned to ")
    assert {_exception(world, e)["assigned_to"] for e in ids} == {admin}
    said = _said(_bulk(client, ids[:1], action="assign", assignee=""))
    assert said == "1 given back to the role."
    assert _exception(world, ids[0])["assigned_to"] is None
    said = _said(_bulk(client, ids[1:2], action="assign", assignee="nobody@example.com"))
    assert said.startswith("0 assigned") and "nobody@example.com is not a member" in said
    assert _exception(world, ids[1])["assigned_to"] == admin


def test_bulk_refuses_bad_input_and_changes_nothing(world: World) -> None:
    made = _three(world)
    ids = [m["exception"]["id"] for m in made]
    client = login(world, "coordinator")
    cases = [
        ({"ids": ids, "action": "resolve", "note": "  "}, "Write a note"),
        ({"ids": [], "action": "resolve", "note": "x"}, "Tick at least one exception"),
        ({"ids": [ids[0], "abc"], "action": "resolve", "note": "x"}, "were not exceptions"),
        ({"ids": ids, "action": "delete"}, "Pick what to do"),
    ]
    for data, words in cases:
        html = _bulk(client, **data)
        assert words in _said(html), data
    assert {_exception(world, e)["status"] for e in ids} == {"open"}
    assert {_exception(world, e)["version"] for e in ids} == {1}


def test_bulk_leaves_another_tenants_exceptions_alone(world: World) -> None:
    made = _three(world)
    ids = [m["exception"]["id"] for m in made]
    client = login(world, "coordinator", tenant="b")
    said = _said(_bulk(client, ids, action="resolve", note="Not mine"))
    assert said.startswith("0 resolved.") and "3 could not be found in this workspace" in said
    assert {_exception(world, e)["status"] for e in ids} == {"open"}


def test_only_coordinators_and_admins_use_bulk(world: World) -> None:
    made = _three(world)
    eid = made[0]["exception"]["id"]
    for role in ("technician", "viewer"):
        resp = login(world, role).post("/exceptions/bulk", data={
            "ids": [str(eid)], "action": "resolve", "note": "x"})
        assert resp.status_code == 403, role
    assert _exception(world, eid)["status"] == "open"


def test_search_and_counts_per_code(world: World) -> None:
    made = _three(world)
    first = made[0]
    client = login(world, "coordinator")
    number = first["case"]["number"]
    found = _items(text_of(client.get(f"/exceptions?q={number.lower()}")))
    assert found == [f"exception-{first['exception']['id']}"]
    assert len(_items(text_of(client.get("/exceptions?q=missing_sig")))) == 3  # the code
    assert len(_items(text_of(client.get("/exceptions?q=no+customer+signature")))) == 3
    assert _items(text_of(client.get("/exceptions?q=100%25"))) == []  # % is no wildcard
    html = text_of(client.get("/exceptions"))
    chips = re.findall(r'data-code="(\w+)"[^>]*>\w+ <span class="chip-count">(\d+)</span>', html)
    assert chips == [("MISSING_SIGNATURE", "3")]
    # the chip's count is what its link shows
    html = text_of(client.get(f"/exceptions?q={number}&code=MISSING_SIGNATURE"))
    chips = re.findall(r'<span class="chip-count">(\d+)</span>', html)
    assert chips == ["1"] and len(_items(html)) == 1
    login(world, "coordinator").post("/exceptions/bulk", data={
        "ids": [str(made[1]["exception"]["id"])], "action": "resolve", "note": "ok"})
    html = text_of(client.get("/exceptions"))
    assert re.findall(r'<span class="chip-count">(\d+)</span>', html) == ["2"]


def test_resolve_and_decide_from_the_case_page(world: World) -> None:
    from tests.integration.test_queue_pages import _approval

    publish_example(world)
    made = _overtime_case(world)
    case_id, eid, aid = made["case"]["id"], made["exception"]["id"], made["approval"]["id"]
    assert 'data-testid="case-resolve-form"' not in text_of(
        login(world, "technician").get(f"/cases/{case_id}"))
    client = login(world, "coordinator")
    page = text_of(client.get(f"/cases/{case_id}"))
    assert 'data-testid="case-resolve-form"' in page and 'data-testid="case-decide-form"' in page
    back = f"/cases/{case_id}"
    # an empty note changes nothing and comes back to the case page
    resp = client.post(f"/exceptions/{eid}/resolve", data={"text": " ", "version": 1,
                                                            "next": back})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(back)
    assert _exception(world, eid)["status"] == "open"
    resp = client.post(f"/exceptions/{eid}/resolve", data={
        "text": "Signed on paper", "version": 1, "next": back}, follow_redirects=True)
    assert "Resolved MISSING_SIGNATURE" in _said(text_of(resp))
    assert _exception(world, eid)["status"] == "resolved"
    # another site is never a way back
    resp = client.post(f"/approvals/{aid}/decision", data={
        "decision": "approve", "version": 1, "comment": "Fine", "next": "//evil.example/x"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/approvals")
    assert _approval(world, aid)["status"] == "approved"
    page = text_of(client.get(back))
    assert 'data-testid="case-decide-form"' not in page
    assert 'data-testid="case-resolve-form"' not in page


def test_customer_approvals_show_to_staff_read_only_and_the_inbox_searches(
        world: World) -> None:
    from tests.integration.test_rules_flow import _submit, started_case_of_type

    publish_example(world)
    case = started_case_of_type(world, "service")
    data = unresolved_service_visit()
    [approval] = _submit(world, case["id"], "service_visit", data)[
        "evaluation"]["approvals_requested"]
    assert approval["approver"] == "customer"
    made = _overtime_case(world)
    client = login(world, "coordinator")
    page = text_of(client.get("/approvals"))
    asks = page.split('data-testid="customer-asks"')[1]
    assert f'id="customer-approval-{approval["id"]}"' in asks
    assert "asked Lena Berg (lena@example.test)" in asks
    assert "link sent" in asks or "the link is being sent" in asks
    assert f'action="/approvals/{approval["id"]}/decision"' not in page  # read only
    # the inbox's own list stays what is routed to me: the nav's and home's number
    assert _items(page) == [f"approval-{made['approval']['id']}"]
    # search: case number, reason; customer asks follow it too
    found = text_of(client.get(f"/approvals?q={made['case']['number'].lower()}"))
    assert _items(found) == [f"approval-{made['approval']['id']}"]
    assert 'data-testid="customer-asks"' not in found
    assert _items(text_of(client.get("/approvals?q=nothing+like+this"))) == []
    assert 'data-testid="customer-asks"' not in text_of(login(world, "technician").get(
        "/approvals"))
    assert 'data-testid="customer-asks"' not in text_of(login(world, "coordinator", tenant="b")
                                                        .get("/approvals"))


def test_bulk_approve_reports_stale_decided_other_tenant_and_bad_input(world: World) -> None:
    from tests.integration.test_queue_pages import _approval

    made = _three(world)
    a, b, c = (m["approval"]["id"] for m in made)
    world.api("coordinator").post(f"/api/v1/approvals/{c}/decision",
                                  json={"decision": "approve"})  # decided meanwhile
    client = login(world, "coordinator")
    for data, words in (({"ids": [a], "decision": "maybe"}, "Pick approve or reject"),
                        ({"ids": [], "decision": "approve"}, "Tick at least one approval"),
                        ({"ids": [a, "x"], "decision": "approve"}, "were not approvals")):
        resp = client.post("/approvals/bulk", data=data, follow_redirects=True)
        assert words in _said(text_of(resp))
    assert _approval(world, a)["status"] == "pending"
    assert login(world, "technician").post("/approvals/bulk", data={
        "ids": [str(a)], "decision": "approve"}, follow_redirects=True).status_code == 200
    assert _approval(world, a)["status"] == "pending"  # not theirs: refused, not changed
    said = _said(text_of(login(world, "coordinator", tenant="b").post(
        "/approvals/bulk", data={"ids": [str(a)], "decision": "reject"},
        follow_redirects=True)))
    assert "1 could not be found in this workspace" in said
    said = _said(text_of(client.post("/approvals/bulk", data={
        "ids": [str(a), str(b), str(c)], f"version-{a}": "1", f"version-{b}": "1",
        f"version-{c}": "1", "decision": "approve", "comment": "Long days, fine"},
        follow_redirects=True)))
    assert said.startswith("2 approved.") and "1 was already closed and left as is" in said
    assert [_approval(world, x)["status"] for x in (a, b, c)] == ["approved"] * 3
    assert _approval(world, a)["comment"] == "Long days, fine"


def _row(html: str, element_id: str) -> str:
    """One queue or inbox row's HTML, from its <li> to the next."""
    start = html.index(f'id="{element_id}"')
    end = html.find('<li class="card-box queue-item', start)
    return html[start:end if end != -1 else len(html)]


def test_queue_rows_are_one_line_with_the_details_folded(world: World) -> None:
    made = _three(world)
    first = made[0]
    eid, number = first["exception"]["id"], first["case"]["number"]
    html = text_of(login(world, "coordinator").get("/exceptions"))
    row = _row(html, f"exception-{eid}")
    line, _, folded = row.partition('<details class="qi-details"')
    assert folded, "the row has no details to unfold"
    # the line: tick, chip, code, case and title, age, who, the next step
    for part in ('data-testid="pick"', 'class="badge sev sev-high"', "MISSING_SIGNATURE",
                 f">{number}</a>", first["case"]["title"], 'class="age qi-age"',
                 "the coordinators", 'data-testid="assign-me"'):
        assert part in line, part
    # the message, the rule's reasons and the forms only unfold below it
    for part in (f"{number} has no customer signature", "Customer signature is missing",
                 'data-testid="resolve-form"', 'data-testid="override"'):
        assert part in folded and part not in line, part
    assert "<summary" in folded and "Resolve…" in folded
    # one bulk bar, from the shared macro, that the ticks join
    assert html.count('data-testid="bulk"') == 1 and 'data-tick-all="bulk"' in html


def test_inbox_rows_are_one_line_with_the_decision_folded(world: World) -> None:
    made = _three(world)
    aid, number = made[0]["approval"]["id"], made[0]["case"]["number"]
    client = login(world, "coordinator")
    html = text_of(client.get("/approvals"))
    line, _, folded = _row(html, f"approval-{aid}").partition('<details class="qi-details"')
    for part in ('data-testid="pick"', "Pending", f">{number}</a>", "for a coordinator",
                 'data-testid="quick-approve"'):
        assert part in line, part
    for part in (f"17 h reported on {number}", "Total hours 17 is more than 16",
                 'data-testid="decide-form"', 'name="comment"', 'data-testid="reject"'):
        assert part in folded and part not in line, part
    assert html.count('data-testid="bulk"') == 1 and 'data-tick-all="bulk-approvals"' in html
    # the line's Approve decides with the row's version, without a comment
    said = _said(text_of(client.post(f"/approvals/{aid}/decision", data={
        "decision": "approve", "version": "1"}, follow_redirects=True)))
    assert said == f"Approved on {number}."
    # a technician sees no bulk bar: nothing there is theirs to decide
    assert 'data-testid="bulk"' not in text_of(login(world, "technician").get("/approvals"))


def test_bulk_goes_item_by_item_after_the_refactor(world: World) -> None:
    """The one bulk runner: a stale row is refused with its label while the rest
    are done, for the inbox as for the queue."""
    from tests.integration.test_queue_pages import _approval

    made = _three(world)
    a, b, c = (m["approval"]["id"] for m in made)
    world.api("coordinator").post(f"/api/v1/approvals/{b}/decision",
                                  json={"decision": "reject"})  # decided meanwhile
    client = login(world, "coordinator")
    said = _said(text_of(client.post("/approvals/bulk", data={
        "ids": [str(a), str(c)], f"version-{a}": "1", f"version-{c}": "7",
        "decision": "reject", "comment": "Too many hours"}, follow_redirects=True)))
    number_c = made[2]["case"]["number"]
    assert said == ("1 rejected. 1 had changed meanwhile and was left as is: "
                    f"the approval on {number_c}.")
    assert [_approval(world, x)["status"] for x in (a, b, c)] == [
        "rejected", "rejected", "pending"]
    assert _approval(world, a)["comment"] == "Too many hours"
