"""The board, the case page, the booking form and My jobs, through the Flask
test client on SQLite and PostgreSQL. Writes go through the same services as
the API, so the API is used to check what was (or was not) stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.cases import book, publish_example
from tests.support.web import login, text_of
from tests.support.world import World


def case_json(world: World, case_id: int) -> dict[str, Any]:
    return dict(world.api("admin").get(f"/api/v1/cases/{case_id}").json)


def events(world: World, case_id: int) -> list[dict[str, Any]]:
    body = world.api("admin").get(f"/api/v1/cases/{case_id}/events").json
    return list(body["items"] if isinstance(body, dict) else body)


def count_cases(world: World) -> int:
    return len(world.api("admin").get("/api/v1/cases?limit=500").json["items"])


def column_count(html: str, state: str) -> int:
    match = re.search(rf'data-testid="count-{state}">(\d+)<', html)
    assert match, f"no column {state}"
    return int(match.group(1))


# ---- board -----------------------------------------------------------------

def test_board_has_a_column_per_state_with_counts(world_with_bundle: World) -> None:
    world = world_with_bundle
    first = book(world, title="Install in Umeå")
    book(world, title="Install in Skellefteå", assignee=None)
    world.api("coordinator").post(f"/api/v1/cases/{first['id']}/transitions",
                                  json={"transition": "schedule"})
    client = login(world, "viewer")
    resp = client.get("/board")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/board/installation")
    html = text_of(client.get("/board/installation"))
    for label in ("Booked", "Scheduled", "In progress", "Work done", "Ready for invoicing",
                  "Invoiced", "Cancelled"):
        assert f">{label}</h2>" in html
    assert column_count(html, "booked") == 1 and column_count(html, "scheduled") == 1
    assert column_count(html, "in_progress") == 0
    assert "Install in Umeå" in html and "Install in Skellefteå" in html
    assert "Heat pump service" in html  # the other case type is a tab
    assert text_of(client.get("/board/service")).count('data-testid="card"') == 0
    assert client.get("/board/nonsense").status_code == 404


def test_board_filters_by_text_and_assignee(world_with_bundle: World) -> None:
    world = world_with_bundle
    book(world, title="Pump A", customer={"name": "Lena Berg"})
    book(world, title="Pump B", customer={"name": "Olof Nilsson"}, assignee=None)
    client = login(world, "coordinator")
    html = text_of(client.get("/board/installation?q=nilsson"))
    assert "Pump B" in html and "Pump A" not in html
    html = text_of(client.get(f"/board/installation?assignee={world.a.emails['technician']}"))
    assert "Pump A" in html and "Pump B" not in html
    html = text_of(client.get("/board/installation?assignee=none"))
    assert "Pump B" in html and "Pump A" not in html
    assert column_count(html, "booked") == 1


def test_board_highlights_overdue_scheduled_cases(world_with_bundle: World) -> None:
    world = world_with_bundle
    book(world, title="Late job", scheduled_start="2020-01-10T08:00:00+01:00",
         scheduled_end="2020-01-10T12:00:00+01:00")
    book(world, title="Future job", scheduled_start="2099-01-10T08:00:00+01:00",
         scheduled_end="2099-01-10T12:00:00+01:00")
    html = text_of(login(world, "coordinator").get("/board/installation"))
    cards = re.findall(r'<a class="(card[^"]*)"[^>]*>(.*?)</a>', html, re.S)
    late = next(cls for cls, body in cards if "Late job" in body)
    future = next(cls for cls, body in cards if "Future job" in body)
    assert "card-overdue" in late and "card-overdue" not in future


# ---- case page -------------------------------------------------------------

def test_case_page_shows_data_transitions_diagram_and_timeline(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world)
    html = text_of(login(world, "coordinator").get(f"/cases/{case['id']}"))
    assert case["number"] in html and "Lena Berg" in html and "Storgatan 1" in html
    assert 'data-testid="transition-schedule"' in html and 'data-testid="transition-cancel"' in html
    assert 'name="version" value="1"' in html
    assert '<svg' in html and 'class="node node-current"' in html
    assert "Booked the case" in html  # the timeline's first event, in words
    assert "Why not ready to invoice" in html and "The work is not finished yet" in html


def test_a_blocked_transition_names_what_is_missing(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, assignee=None, scheduled_start=None, scheduled_end=None)
    client = login(world, "coordinator")
    html = text_of(client.get(f"/cases/{case['id']}"))
    assert 'data-testid="blocked-schedule"' in html
    assert "Assignee must be set first" in html and "Scheduled start must be set first" in html
    resp = client.post(f"/cases/{case['id']}/transition",
                       data={"transition": "schedule", "version": "1"})
    assert resp.status_code == 409
    assert "not possible yet" in text_of(resp)
    assert case_json(world, case["id"])["status"] == "booked"


def test_posting_a_transition_moves_the_case_and_records_the_comment(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world)
    client = login(world, "coordinator")
    resp = client.post(f"/cases/{case['id']}/transition",
                       data={"transition": "schedule", "version": "1",
                             "comment": "Tove goes on Thursday"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/cases/{case['id']}")
    assert case_json(world, case["id"])["status"] == "scheduled"
    html = text_of(client.get(f"/cases/{case['id']}"))
    assert "Schedule: Booked → Scheduled" in html and "Tove goes on Thursday" in html
    assert "Done: Schedule." in html


def test_a_stale_page_gets_the_reload_message_and_changes_nothing(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world)
    world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})  # now at version 2
    trail = events(world, case["id"])
    client = login(world, "coordinator")
    resp = client.post(f"/cases/{case['id']}/transition",
                       data={"transition": "cancel", "version": "1", "comment": "gone"})
    assert resp.status_code == 412
    assert "Someone changed this case" in text_of(resp) and "Reload" in text_of(resp)
    assert case_json(world, case["id"])["status"] == "scheduled"
    assert events(world, case["id"]) == trail
    resp = client.post(f"/cases/{case['id']}/assign",
                       data={"assignee": "", "version": "1"})
    assert resp.status_code == 412 and "Someone changed this case" in text_of(resp)
    assert case_json(world, case["id"])["assignee"] == world.a.emails["technician"]


def test_assigning_from_the_page_uses_the_service_and_shows_in_the_timeline(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, assignee=None)
    client = login(world, "coordinator")
    tech = world.a.emails["technician"]
    resp = client.post(f"/cases/{case['id']}/assign", data={"assignee": tech, "version": "1"})
    assert resp.status_code == 302
    assert case_json(world, case["id"])["assignee"] == tech
    html = text_of(client.get(f"/cases/{case['id']}"))
    assert "Assigned to Technician of Alpha Heat AB" in html
    resp = client.post(f"/cases/{case['id']}/assign",
                       data={"assignee": world.a.emails["viewer"], "version": "2"})
    assert resp.status_code == 422  # not one of the technicians offered
    assert case_json(world, case["id"])["assignee"] == tech


def test_a_viewer_sees_no_write_buttons_and_cannot_post(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world)
    client = login(world, "viewer")
    html = text_of(client.get(f"/cases/{case['id']}"))
    assert "Lena Berg" in html
    assert 'data-testid="transition-' not in html and 'data-testid="assign"' not in html
    assert client.post(f"/cases/{case['id']}/transition",
                       data={"transition": "schedule", "version": "1"}).status_code == 403
    assert client.post(f"/cases/{case['id']}/assign",
                       data={"assignee": "", "version": "1"}).status_code == 403
    assert client.get("/cases/new").status_code == 403
    assert case_json(world, case["id"])["version"] == 1


def test_another_tenants_case_is_not_found(world_with_bundle: World) -> None:
    world = world_with_bundle
    theirs = book(world, tenant="b", title="Bravo secret job")
    client = login(world, "coordinator")
    assert client.get(f"/cases/{theirs['id']}").status_code == 404
    assert client.post(f"/cases/{theirs['id']}/transition",
                       data={"transition": "schedule", "version": "1"}).status_code == 404
    assert client.post(f"/cases/{theirs['id']}/assign",
                       data={"assignee": "", "version": "1"}).status_code == 404
    assert "Bravo secret job" not in text_of(client.get("/board/installation"))
    bravo = world.api("admin", "b").get(f"/api/v1/cases/{theirs['id']}").json
    assert bravo["status"] == "booked" and bravo["version"] == 1


def test_html_in_a_customer_name_is_shown_escaped(world_with_bundle: World) -> None:
    world = world_with_bundle
    evil = "<img src=x onerror=alert(1)>"
    case = book(world, customer={"name": evil}, title="<b>bold</b> title")
    client = login(world, "coordinator")
    for path in ("/board/installation", f"/cases/{case['id']}"):
        html = text_of(client.get(path))
        assert evil not in html and "<b>bold</b>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


# ---- booking form ------------------------------------------------------------

def _booking_form(world: World, **over: str) -> dict[str, str]:
    data = {"case_type": "installation", "title": "Install F2120 in Holmsund",
            "customer_name": "Karin Holm", "customer_email": "karin@example.test",
            "customer_phone": "+46 70 111 22 33", "customer_vat_id": "SE556000000001",
            "customer_street": "Strandvägen 2", "customer_city": "Holmsund",
            "customer_country": "se", "site_street": "Strandvägen 2", "site_city": "Holmsund",
            "scheduled_start": "2026-11-26T08:00", "scheduled_end": "2026-11-26T16:00",
            "timezone": "Europe/Stockholm", "assignee": world.a.emails["technician"],
            "f-customer_reference": "PO-778", "f-rot_deduction": "on",
            "f-property_designation": "Holmsund 3:14"}
    data.update(over)
    return data


def test_the_booking_form_books_a_case(world_with_bundle: World) -> None:
    world = world_with_bundle
    client = login(world, "coordinator")
    page = text_of(client.get("/cases/new?case_type=installation"))
    assert "Customer reference / PO" in page and "Property designation" in page
    assert re.search(r'<option selected value="Europe/Stockholm">', page)
    resp = client.post("/cases/new?case_type=installation", data=_booking_form(world))
    assert resp.status_code == 302
    case_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    case = case_json(world, case_id)
    assert case["title"] == "Install F2120 in Holmsund" and case["status"] == "booked"
    assert case["customer"]["email"] == "karin@example.test"
    assert case["customer"]["address"] == {"street": "Strandvägen 2", "city": "Holmsund",
                                           "country": "SE"}
    assert case["scheduled_start"].startswith("2026-11-26T07:00:00")  # 08:00 CET in UTC
    assert case["assignee"] == world.a.emails["technician"]
    assert case["fields"] == {"customer_reference": "PO-778", "rot_deduction": True,
                              "property_designation": "Holmsund 3:14"}
    assert "Booked INST-" in text_of(client.get(f"/cases/{case_id}"))


def test_bad_booking_input_is_shown_beside_each_field_and_nothing_is_stored(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    client = login(world, "coordinator")
    resp = client.post("/cases/new?case_type=installation", data=_booking_form(
        world, title="", customer_email="not-an-email", customer_peppol_id="5561234567"))
    html = text_of(resp)
    assert resp.status_code == 422
    assert 'data-field="title">This field is required.' in html
    assert 'data-field="customer_email">Use an email address' in html  # all at once
    assert count_cases(world) == 0
    resp = client.post("/cases/new?case_type=installation", data=_booking_form(
        world, customer_name="", scheduled_end="2026-11-25T16:00"))
    html = text_of(resp)
    assert 'data-field="customer_name">This field is required.' in html
    assert 'data-field="scheduled_end">the end must not be before the start' in html
    assert "is a required property" not in html
    resp = client.post("/cases/new?case_type=installation", data=_booking_form(
        world, customer_email="not-an-email", customer_peppol_id="5561234567"))
    html = text_of(resp)
    assert resp.status_code == 422
    assert re.search(r'data-field="customer_email">Use an email address', html)
    assert re.search(r'data-field="customer_peppol_id">A Peppol id is', html)
    assert 'value="Karin Holm"' in html  # what was typed is kept
    resp = client.post("/cases/new?case_type=installation", data=_booking_form(
        world, scheduled_end="2026-11-25T16:00"))
    assert resp.status_code == 422
    assert re.search(r'data-field="scheduled_end">the end must not be before the start',
                     text_of(resp))
    assert count_cases(world) == 0


def test_booking_needs_the_coordinator_or_admin_role(world_with_bundle: World) -> None:
    client = login(world_with_bundle, "technician")
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=_booking_form(world_with_bundle)).status_code == 403
    assert count_cases(world_with_bundle) == 0


# ---- my jobs -------------------------------------------------------------------

def test_my_jobs_lists_todays_open_assigned_cases(world_with_bundle: World) -> None:
    world = world_with_bundle
    now = datetime.now(UTC)
    today = book(world, title="Today's pump", scheduled_start=now.isoformat(),
                 scheduled_end=(now + timedelta(minutes=1)).isoformat())
    book(world, title="Someone else's", assignee=None)
    book(world, title="Next year", scheduled_start="2099-03-01T08:00:00+01:00",
         scheduled_end="2099-03-01T10:00:00+01:00")
    client = login(world, "technician")
    html = text_of(client.get("/my"))
    today_group = html.split('data-group="today"')[1].split("</section>")[0]
    assert "Today&#39;s pump" in today_group and f"/cases/{today['id']}" in today_group
    assert "Next year" in html and "Someone else" not in html
    assert 'href="/my"' in html  # the technician's navigation offers My jobs


def test_case_type_fields_are_typed_inputs_with_their_errors_beside_them(world: World) -> None:
    publish_example(world, "bytewise-it.yaml")
    client = login(world, "coordinator")
    page = text_of(client.get("/cases/new"))
    assert 'name="f-contract"' in page and '<option value="prepaid_block"' in page
    assert 'name="f-prepaid_hours_left"' in page and 'inputmode="decimal"' in page
    form = {"case_type": "onsite_support", "title": "Printer on fire",
            "customer_name": "Hygge Kontor ApS", "timezone": "Europe/Copenhagen",
            "assignee": "", "f-ticket_ref": "not a ticket", "f-contract": "prepaid_block",
            "f-prepaid_hours_left": "lots"}
    resp = client.post("/cases/new?case_type=onsite_support", data=form)
    html = text_of(resp)
    assert resp.status_code == 422
    assert 'data-field="f-ticket_ref"' in html and 'data-field="f-prepaid_hours_left"' in html
    assert count_cases(world) == 0
    resp = client.post("/cases/new?case_type=onsite_support", data={
        **form, "f-ticket_ref": "HK-1234", "f-prepaid_hours_left": "7,5"})
    assert resp.status_code == 302
    case = case_json(world, int(resp.headers["Location"].rsplit("/", 1)[1]))
    assert case["fields"]["ticket_ref"] == "HK-1234"
    assert case["fields"]["contract"] == "prepaid_block"
    assert case["fields"]["prepaid_hours_left"] in ("7.5", "7.50")
