"""The technician's day through the Flask test client: My jobs as the home with
one primary button per job, the case page in the technician's order, "On my
way" (page and API, with its rule trigger) and the work timer that writes a
time row into the report's draft. Each route: who may use it, stale versions,
another tenant's case, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.test_case_pages import case_json, events, login, text_of
from tests.support.cases import book
from tests.support.outbox import sms_texts as sms_texts_of
from tests.support.world import PASSWORD, World


def scheduled(world: World, tenant: str = "a", **over: Any) -> dict[str, Any]:
    """A case booked for today and scheduled (version 2), assigned to the technician."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    case = book(world, tenant, scheduled_start=start.isoformat(),
                scheduled_end=(start + timedelta(hours=4)).isoformat(), **over)
    resp = world.api("coordinator", tenant).post(f"/api/v1/cases/{case['id']}/transitions",
                                                 json={"transition": "schedule"})
    assert resp.status_code == 200
    return dict(resp.json)


def second_technician(world: World) -> FlaskClient:
    from workorders.platform.services.accounts import create_user

    with world.app.app_context():
        create_user(world.a.slug, "tech2@a.test", ["technician"], password=PASSWORD,
                    name="Second technician")
    client = world.app.test_client()
    assert client.post("/login", data={"email": "tech2@a.test",
                                       "password": PASSWORD}).status_code == 302
    return client


def actions(world: World, case_id: int) -> list[str]:
    return [e["action"] for e in events(world, case_id)]


def sms_texts(world: World) -> list[str]:
    return sms_texts_of(world.app)


# ---- My jobs -----------------------------------------------------------------

def test_my_jobs_shows_today_first_with_maps_call_access_and_one_step(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world, site={"street": "Storgatan 1", "city": "Umeå", "postal_code": "90325",
                                  "country": "SE", "access_notes": "Key in the blue box"})
    book(world, title="Last year's job", scheduled_start="2020-01-10T08:00:00+01:00",
         scheduled_end="2020-01-10T12:00:00+01:00")
    html = text_of(login(world, "technician").get("/my"))
    assert html.index("Today&#39;s jobs") < html.index("Overdue or from earlier days")
    assert "https://www.openstreetmap.org/search?query=Storgatan%201%2C%2090325%2C%20Ume" in html
    assert 'href="tel:+46701234567"' in html and "Key in the blue box" in html
    card = html.split(f'data-case="{case["id"]}"')[1].split("</article>")[0]
    assert card.count('data-testid="job-step"') == 1
    assert 'value="start"' in card and f'name="version" value="{case["version"]}"' in card
    assert f"/cases/{case['id']}/forms/installation_report" in card  # Start opens the form
    assert 'data-testid="job-on-my-way"' in card


def test_start_from_my_jobs_moves_the_case_and_opens_the_form(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    client = login(world, "technician")
    form_url = f"/cases/{case['id']}/forms/installation_report"
    resp = client.post(f"/cases/{case['id']}/transition", data={
        "transition": "start", "version": str(case["version"]), "next": form_url})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(form_url)
    assert case_json(world, case["id"])["status"] == "in_progress"
    # the next step is now the report Complete waits for, a link on My jobs
    html = text_of(client.get("/my"))
    card = html.split(f'data-case="{case["id"]}"')[1].split("</article>")[0]
    assert "Fill in: Installation report" in card and 'value="start"' not in card
    # an address outside this site is not followed
    resp = client.post(f"/cases/{case['id']}/transition", data={
        "transition": "await_parts", "version": "3", "next": "//evil.example/"})
    assert resp.status_code in (302, 403, 409)
    if resp.status_code == 302:
        assert "evil" not in resp.headers["Location"]


def test_my_jobs_and_the_case_page_offer_the_same_next_step(world_with_bundle: World) -> None:
    """One button (``_next_step.html``) from one function: the same step in both
    places; only My jobs sends Start on to the report, the case page stays put."""
    world = world_with_bundle
    case = scheduled(world)
    client = login(world, "technician")
    card = text_of(client.get("/my")).split(f'data-case="{case["id"]}"')[1].split("</article>")[0]
    page = text_of(client.get(f"/cases/{case['id']}"))
    primary = page.split('class="primary-step"')[1].split("</div>")[0]
    assert '<button type="submit" name="transition" value="start"' in card
    assert 'data-testid="transition-start"' in primary and 'name="next"' not in primary
    assert 'name="next"' in card
    # "On my way" too is one macro: the card's comes back to My jobs, the page's to the case
    mine = card.split('/on-my-way"')[1].split("</form>")[0]
    theirs = page.split('/on-my-way"')[1].split("</form>")[0]
    assert 'name="next" value="/my"' in mine and 'data-testid="job-on-my-way"' in mine
    assert 'name="next"' not in theirs and 'data-testid="on-my-way"' in theirs
    client.post(f"/cases/{case['id']}/transition", data={
        "transition": "start", "version": str(case["version"])})
    form_url = f"/cases/{case['id']}/forms/installation_report"
    card = text_of(client.get("/my")).split(f'data-case="{case["id"]}"')[1].split("</article>")[0]
    page = text_of(client.get(f"/cases/{case['id']}"))
    primary = page.split('class="primary-step"')[1].split("</div>")[0]
    for html in (card, primary):
        assert f'href="{form_url}"' in html and ">Fill in: Installation report</a>" in html
    assert 'data-testid="next-step-installation_report"' in primary
    assert 'data-testid="job-step"' in card and "<form" not in primary


# ---- the case page in the technician's order -------------------------------------

def test_case_page_puts_step_forms_and_contact_before_invoice_blockers(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    html = text_of(login(world, "technician").get(f"/cases/{case['id']}"))
    assert 'class="case-grid tech-first"' in html
    order = [html.index(m) for m in ('data-next-step', 'data-testid="forms-to-fill"',
                                     'data-testid="contact"', 'data-testid="readiness"')]
    assert order == sorted(order)
    assert html.count('data-testid="transition-start"') == 1  # the primary button is the only Start
    coordinator = text_of(login(world, "coordinator").get(f"/cases/{case['id']}"))
    assert "tech-first" not in coordinator and "data-next-step" not in coordinator
    assert 'data-testid="transition-cancel"' in coordinator


# ---- On my way ------------------------------------------------------------------

def test_on_my_way_records_an_event_and_texts_the_customer(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    client = login(world, "technician")
    resp = client.post(f"/cases/{case['id']}/on-my-way",
                       data={"version": str(case["version"]), "next": "/my"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/my")
    assert actions(world, case["id"])[-1] == "on_my_way"
    assert any("har åkt och är snart hos dig" in m for m in sms_texts(world))
    html = text_of(client.get(f"/cases/{case['id']}"))
    assert 'data-testid="on-my-way-said"' in html and 'data-testid="on-my-way"' not in html
    assert "On my way" in text_of(client.get(f"/cases/{case['id']}"))


def test_on_my_way_is_only_for_the_assigned_technician_before_the_work(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    url = f"/cases/{case['id']}/on-my-way"
    data = {"version": str(case["version"])}
    assert login(world, "coordinator").post(url, data=data).status_code == 403
    assert login(world, "viewer").post(url, data=data).status_code == 403
    assert second_technician(world).post(url, data=data).status_code == 403
    tech = login(world, "technician")
    stale = tech.post(url, data={"version": str(case["version"] - 1)})
    assert stale.status_code == 412 and "Someone changed this case" in text_of(stale)
    bad = tech.post(url, data={"version": "soon"})
    assert bad.status_code == 400 and "incomplete or expired" in text_of(bad)
    assert "on_my_way" not in actions(world, case["id"])
    world.api("technician").post(f"/api/v1/cases/{case['id']}/transitions",
                                 json={"transition": "start"})
    started = tech.post(url, data={"version": str(case_json(world, case["id"])["version"])})
    assert started.status_code == 409 and "already started" in text_of(started)
    assert "on_my_way" not in actions(world, case["id"])


def test_on_my_way_over_the_api(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    path = f"/api/v1/cases/{case['id']}/on-my-way"
    stale = world.api("technician").post(path, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert world.api("coordinator").post(path).status_code == 403
    resp = world.api("technician").post(path, headers={"If-Match": f'"{case["version"]}"'})
    assert resp.status_code == 200 and resp.json["version"] == case["version"] + 1
    assert resp.headers["ETag"] == f'"{case["version"] + 1}"'
    theirs = scheduled(world, tenant="b")
    assert world.api("technician").post(f"/api/v1/cases/{theirs['id']}/on-my-way"
                                        ).status_code == 404


def test_other_tenants_cases_are_not_found(world_with_bundle: World) -> None:
    world = world_with_bundle
    theirs = scheduled(world, tenant="b")
    client = login(world, "technician")
    data = {"version": str(theirs["version"]), "action": "start"}
    assert client.post(f"/cases/{theirs['id']}/on-my-way", data=data).status_code == 404
    assert client.post(f"/cases/{theirs['id']}/timer", data=data).status_code == 404
    assert world.api("admin", "b").get(f"/api/v1/cases/{theirs['id']}").json["version"] == \
        theirs["version"]


# ---- the work timer ---------------------------------------------------------------

def test_the_timer_survives_a_reload_and_fills_a_time_row_when_stopped(
        world_with_bundle: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.services import field_work

    world = world_with_bundle
    case = scheduled(world)
    world.api("technician").post(f"/api/v1/cases/{case['id']}/transitions",
                                 json={"transition": "start"})
    version = case_json(world, case["id"])["version"]
    client = login(world, "technician")
    url = f"/cases/{case['id']}/timer"
    resp = client.post(url, data={"action": "start", "version": str(version)})
    assert resp.status_code == 302
    other_device = login(world, "technician")  # a second session sees it running
    html = text_of(other_device.get(f"/cases/{case['id']}"))
    assert 'data-testid="timer-stop"' in html and "Work timer running" in html
    again = client.post(url, data={"action": "start", "version": str(version + 1)})
    assert again.status_code == 409 and "already running" in text_of(again)
    later = datetime.now(UTC) + timedelta(minutes=80)
    monkeypatch.setattr(field_work, "utcnow", lambda: later)
    resp = other_device.post(url, data={"action": "stop", "version": str(version + 1)})
    assert resp.status_code == 302
    page = text_of(other_device.get(f"/cases/{case['id']}"))
    assert "1.25 h added to the draft of Installation report" in page
    assert 'data-testid="timer-start"' in page
    drafts = world.api("admin").get(f"/api/v1/cases/{case['id']}/submissions").json["items"]
    [draft] = [s for s in drafts if s["form"] == "installation_report"]
    assert draft["kind"] == "draft"
    [row] = draft["data"]["time"]
    assert row["hours"] == "1.25" and row["labor"] == "install"
    assert row["date"] in {(datetime.now(UTC) + timedelta(hours=h)).date().isoformat()
                           for h in (-12, 0, 14)}  # today in the display zone
    form = text_of(client.get(f"/cases/{case['id']}/forms/installation_report"))
    assert 'value="1.25"' in form  # prefilled on the form


def test_the_timer_refuses_others_stale_pages_and_bad_input(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = scheduled(world)
    url = f"/cases/{case['id']}/timer"
    v = str(case["version"])
    assert login(world, "coordinator").post(url, data={"action": "start",
                                                       "version": v}).status_code == 403
    assert second_technician(world).post(url, data={"action": "start",
                                                    "version": v}).status_code == 403
    tech = login(world, "technician")
    bad = tech.post(url, data={"action": "pause", "version": v})
    assert bad.status_code == 400 and "Start or Stop" in text_of(bad)
    assert tech.post(url, data={"action": "stop", "version": v}).status_code == 409
    stale = tech.post(url, data={"action": "start", "version": "1"})
    assert stale.status_code == 412
    assert not [a for a in actions(world, case["id"]) if a.startswith("work_timer")]


# ---- the form page: the signer's name once, Submit and complete ------------------------

def test_the_signers_name_is_asked_once_and_fills_the_bundles_name_field(
        world_with_bundle: World) -> None:
    from tests.integration.test_capture_pages import page_upload, pairs, post_form, submissions
    from tests.support.capture import jpeg_bytes, png_bytes, report, started_case

    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo = page_upload(client, case["id"], jpeg_bytes()).json["id"]
    signature = page_upload(client, case["id"], png_bytes(), "s.png").json["id"]
    data = report(photo, signature)
    del data["customer_name"]  # the page hides it: only the signature's name is typed
    form = text_of(client.get(f"/cases/{case['id']}/forms/installation_report"))
    assert "data-signer-mirrors=" in form and "customer_name" in form
    resp = post_form(client, case["id"], pairs(data, "final"))
    assert resp.status_code == 302
    [final] = submissions(world, case["id"])
    assert final["data"]["customer_name"] == "Lena Berg"


def test_submit_and_complete_takes_the_step_the_last_report_was_missing(
        world_with_bundle: World) -> None:
    from tests.integration.test_capture_pages import page_upload, pairs, post_form
    from tests.support.capture import jpeg_bytes, report, started_case

    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    url = f"/cases/{case['id']}/forms/commissioning_protocol"
    # the installation report is still missing: no "Submit and complete" yet, and asking
    # for it anyway only submits (the step is worked out on the server, never posted)
    assert 'data-testid="submit-and-complete"' not in text_of(client.get(url))
    photo = page_upload(client, case["id"], jpeg_bytes()).json["id"]
    resp = post_form(client, case["id"], pairs(report(photo), "final"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    page = text_of(client.get(url))
    assert "Next: Commissioning protocol." in page
    assert 'data-testid="submit-and-complete"' in page and "Submit and complete" in page
    protocol = {"flow_temperature": "35", "leak_test_passed": "true",
                "commissioning_date": "2026-11-26", "_action": "final_then"}
    resp = client.post(url, data=protocol)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/cases/{case['id']}")
    assert case_json(world, case["id"])["status"] == "work_done"
    done = text_of(client.get(f"/cases/{case['id']}"))
    assert "Done: Complete." in done
    # Release is the coordinator's: named, without its requirements, for the technician
    assert 'data-testid="blocked-release"' not in done and "Others can reopen, release." in done
    bad = client.post(url, data={"_action": "final_and_invoice"})
    assert bad.status_code == 400


def test_the_timer_over_the_api_refuses_what_the_page_refuses(
        world_with_bundle: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.services import field_work

    world = world_with_bundle
    case = scheduled(world)
    tech = world.api("technician")
    tech.post(f"/api/v1/cases/{case['id']}/transitions", json={"transition": "start"})
    path = f"/api/v1/cases/{case['id']}/timer"
    version = case_json(world, case["id"])["version"]
    assert world.api("coordinator").post(path, json={"action": "start"}).status_code == 403
    assert tech.post(path, json={"action": "pause"}).status_code == 422
    assert tech.post(path, json={"action": "stop"}).status_code == 409
    assert tech.post(path, json={"action": "start"},
                     headers={"If-Match": '"1"'}).status_code == 412
    started = tech.post(path, json={"action": "start"}, headers={"If-Match": f'"{version}"'})
    assert started.status_code == 200 and started.json["timer"]["running"] is True
    assert started.headers["ETag"] == f'"{version + 1}"'
    later = datetime.now(UTC) + timedelta(minutes=30)
    monkeypatch.setattr(field_work, "utcnow", lambda: later)
    stopped = tech.post(path, json={"action": "stop"})
    assert stopped.status_code == 200 and stopped.json["timer"]["running"] is False
    assert stopped.json["stopped"] == {"hours": "0.5", "form": "installation_report",
                                       "revision": 1, "problem": None}
    theirs = scheduled(world, tenant="b")
    assert tech.post(f"/api/v1/cases/{theirs['id']}/timer",
                     json={"action": "start"}).status_code == 404
