"""Edit booking, cancel with a reason and the customer lookup (issue 15, the
coordinator in the office), through the Flask test client. The page and
``PATCH /api/v1/cases/{id}`` share ``update_case``; the reason rule is the
service's, so the API refuses a cancel without a comment too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_case_pages import case_json, events, login, text_of
from tests.support.cases import book, publish_example
from tests.support.outbox import sms_texts as sms_texts_of
from tests.support.world import World


@pytest.fixture
def world2(world: World) -> World:
    publish_example(world)
    publish_example(world, tenant="b")
    return world


def edit_form(world: World, case: dict[str, Any], **over: str) -> dict[str, str]:
    data = {
        "case_type": "installation", "title": case["title"], "version": str(case["version"]),
        "customer_name": "Lena Berg", "customer_email": "lena@example.test",
        "customer_phone": "070-123 45 67", "customer_erp_id": "C-1001",
        "site_street": "Storgatan 1", "site_city": "Umeå",
        "scheduled_start": "2026-12-03T08:00", "scheduled_end": "2026-12-03T10:00",
        "timezone": "Europe/Stockholm", "assignee": world.a.emails["technician"],
    }
    data.update(over)
    return data


def sms_texts(world: World) -> list[str]:
    return sms_texts_of(world.app)


def test_the_edit_page_is_prefilled_and_saves_through_update_case(world2: World) -> None:
    world = world2
    case = book(world)
    client = login(world, "coordinator")
    page = text_of(client.get(f"/cases/{case['id']}"))
    assert 'data-testid="edit-booking"' in page
    form = client.get(f"/cases/{case['id']}/edit")
    html = text_of(form)
    assert form.status_code == 200 and 'value="Lena Berg"' in html
    assert 'value="2026-11-26T08:00"' in html  # 08:00+01:00 shown in Stockholm time
    resp = client.post(f"/cases/{case['id']}/edit", data=edit_form(
        world, case, scheduled_start="2026-12-04T09:00", scheduled_end="2026-12-04T11:00",
        site_city="Luleå"))
    assert resp.status_code == 302, text_of(resp)
    stored = case_json(world, case["id"])
    assert stored["scheduled_start"].startswith("2026-12-04T08:00")  # UTC
    assert stored["site"]["city"] == "Luleå" and stored["version"] == case["version"] + 1
    updated = [e for e in events(world, case["id"]) if e["action"] == "updated"]
    assert len(updated) == 1 and updated[0]["before"]["site"]["city"] == "Umeå"
    timeline = text_of(client.get(f"/cases/{case['id']}"))
    assert "Luleå" in timeline and "Changed the booking" in timeline
    # the move is one "Scheduled: old window → new window" line, named by its label
    assert "Scheduled" in timeline and "Scheduled start" not in timeline


def test_bad_input_is_shown_by_the_field_and_nothing_changes(world2: World) -> None:
    world = world2
    case = book(world)
    client = login(world, "coordinator")
    trail = events(world, case["id"])
    resp = client.post(f"/cases/{case['id']}/edit", data=edit_form(
        world, case, customer_name="", scheduled_end="2026-12-03T07:00"))
    html = text_of(resp)
    assert resp.status_code == 422 and "Nothing was saved" in html
    assert 'data-field="customer_name"' in html and 'data-field="scheduled_end"' in html
    assert events(world, case["id"]) == trail
    assert case_json(world, case["id"])["version"] == case["version"]


def test_a_stale_version_is_412_with_words_and_nothing_saved(world2: World) -> None:
    world = world2
    case = book(world)
    world.api("coordinator").patch(f"/api/v1/cases/{case['id']}", json={"title": "Moved"})
    client = login(world, "coordinator")
    resp = client.post(f"/cases/{case['id']}/edit", data=edit_form(world, case,
                                                                   site_city="Kiruna"))
    assert resp.status_code == 412 and "Someone changed this case" in text_of(resp)
    stored = case_json(world, case["id"])
    assert stored["site"]["city"] == "Umeå" and stored["title"] == "Moved"


def test_only_coordinators_edit_and_other_tenants_cases_are_404(world2: World) -> None:
    world = world2
    case = book(world)
    tech = login(world, "technician")
    assert 'data-testid="edit-booking"' not in text_of(tech.get(f"/cases/{case['id']}"))
    assert tech.get(f"/cases/{case['id']}/edit").status_code == 403
    assert tech.post(f"/cases/{case['id']}/edit", data=edit_form(world, case)).status_code == 403
    other = login(world, "coordinator", tenant="b")
    assert other.get(f"/cases/{case['id']}/edit").status_code == 404
    assert other.post(f"/cases/{case['id']}/edit",
                      data=edit_form(world, case)).status_code == 404
    assert other.get(f"/cases/{case['id']}/transitions/cancel/confirm").status_code == 404
    assert case_json(world, case["id"])["version"] == case["version"]


def test_reschedule_rules_fire_from_the_page_and_from_the_api(world2: World) -> None:
    world = world2
    case = book(world)
    before = len([m for m in sms_texts(world) if "flyttat" in m])
    client = login(world, "coordinator")
    resp = client.post(f"/cases/{case['id']}/edit", data=edit_form(
        world, case, scheduled_start="2026-12-04T09:00", scheduled_end="2026-12-04T11:00"))
    assert resp.status_code == 302
    moved = [m for m in sms_texts(world) if "flyttat" in m]
    assert len(moved) == before + 1 and "Lena Berg" in moved[-1]
    # a title change is no reschedule: no message
    world.api("coordinator").patch(f"/api/v1/cases/{case['id']}", json={"title": "New title"})
    assert len([m for m in sms_texts(world) if "flyttat" in m]) == before + 1
    second = book(world, customer={"name": "Olof Lind", "email": "olof@example.test",
                                   "phone": "+46 70 111 22 33"})
    resp2 = world.api("coordinator").patch(f"/api/v1/cases/{second['id']}",
                                           json={"assignee": None})
    assert resp2.status_code == 200
    # the technician changed, the time did not: the text says so instead of "moved"
    changed = [m for m in sms_texts(world) if "Olof Lind" in m]
    assert len(changed) == 1 and "är ändrat: vi meddelar vem som kommer" in changed[0]
    assert len([m for m in sms_texts(world) if "flyttat" in m]) == before + 1


def test_cancel_asks_for_a_reason_and_keeps_it(world2: World) -> None:
    world = world2
    case = book(world)
    client = login(world, "coordinator")
    page = text_of(client.get(f"/cases/{case['id']}"))
    assert f"/cases/{case['id']}/transitions/cancel/confirm" in page
    confirm = client.get(f"/cases/{case['id']}/transitions/cancel/confirm")
    assert confirm.status_code == 200 and "Reason (required)" in text_of(confirm)
    assert case["number"] in text_of(confirm)
    empty = client.post(f"/cases/{case['id']}/transitions/cancel/confirm",
                        data={"reason": "  ", "version": str(case["version"])})
    assert empty.status_code == 422 and "a reason is required" in text_of(empty)
    assert case_json(world, case["id"])["status"] == case["status"]
    stale = client.post(f"/cases/{case['id']}/transitions/cancel/confirm",
                        data={"reason": "Customer moved", "version": "99"})
    assert stale.status_code == 412 and "Someone changed this case" in text_of(stale)
    assert case_json(world, case["id"])["status"] == case["status"]
    done = client.post(f"/cases/{case['id']}/transitions/cancel/confirm",
                       data={"reason": "Customer moved", "version": str(case["version"])})
    assert done.status_code == 302
    assert case_json(world, case["id"])["status"] == "cancelled"
    last = events(world, case["id"])[-1]
    assert last["comment"] == "Customer moved"
    # a step that is not cancel-like has no confirm page
    assert client.get(f"/cases/{case['id']}/transitions/schedule/confirm").status_code == 404


def test_the_api_refuses_a_cancel_without_a_comment(world2: World) -> None:
    world = world2
    case = book(world)
    resp = world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                         json={"transition": "cancel"})
    assert resp.status_code == 422
    assert "needs a reason" in resp.get_data(as_text=True)
    assert case_json(world, case["id"])["status"] == case["status"]
    ok = world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                       json={"transition": "cancel", "comment": "Duplicate"})
    assert ok.status_code == 200 and ok.json["status"] == "cancelled"


def test_customer_lookup_finds_this_tenants_customers_only(world2: World) -> None:
    world = world2
    book(world, customer={"name": "Lena Berg", "email": "lena@example.test", "erp_id": "C-1001"})
    book(world, customer={"name": "Lena Berg", "email": "lena@example.test", "erp_id": "C-1001",
                          "phone": "070-999 00 00"})
    book(world, customer={"name": "Olof Lind", "email": "olof@example.test"})
    book(world, tenant="b", customer={"name": "Lena Bergström", "email": "lb@b.test"})
    client = login(world, "coordinator")
    form = text_of(client.get("/cases/new"))
    assert 'data-testid="customer-lookup"' in form and "js/customer_lookup.js" in form
    found = client.get("/customers/lookup?q=lena").json
    assert [c["customer"]["name"] for c in found] == ["Lena Berg"]
    assert found[0]["customer"]["phone"] == "+46 70 999 00 00"  # the most recent, grouped
    assert client.get("/customers/lookup?q=olof@").json[0]["customer"]["name"] == "Olof Lind"
    assert client.get("/customers/lookup?q=l").json == []
    other = login(world, "coordinator", tenant="b")
    assert [c["customer"]["name"] for c in other.get("/customers/lookup?q=lena").json] == [
        "Lena Bergström"]
    assert login(world, "technician").get("/customers/lookup?q=lena").status_code == 403
