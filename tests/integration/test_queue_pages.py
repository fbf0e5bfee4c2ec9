"""The exceptions queue and the approvals inbox, through the Flask test client on
SQLite and PostgreSQL. Actions go through the same services as the API, so the
API is used to check what was (or was not) stored."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.test_case_pages import login, text_of
from tests.support.capture import jpeg_bytes, report, started_case, upload
from tests.support.cases import publish_example
from tests.support.web import signed_in_home
from tests.support.world import World


def _submit(world: World, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    resp = world.api("technician").post(f"/api/v1/cases/{case_id}/submissions",
                                        json={"form": "installation_report", "data": data})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return dict(resp.json["evaluation"])


def _overtime_case(world: World, hours: str = "16") -> dict[str, Any]:
    """A final report with 17 hours and no signature: an approval and an exception."""
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    evaluation = _submit(world, case["id"], report(photo, hours=hours))
    [approval] = evaluation["approvals_requested"]
    [exc] = evaluation["exceptions_opened"]
    return {"case": case, "approval": approval, "exception": exc}


@pytest.fixture
def overtime(world: World) -> tuple[World, dict[str, Any]]:
    publish_example(world)
    return world, _overtime_case(world)


def _exception(world: World, eid: int) -> dict[str, Any]:
    return dict(world.api("coordinator").get(f"/api/v1/exceptions/{eid}").json)


def _approval(world: World, aid: int) -> dict[str, Any]:
    return dict(world.api("coordinator").get(f"/api/v1/approvals/{aid}").json)


def _items(html: str) -> list[str]:
    """The queue's (or inbox's) items in page order, as their element ids."""
    return re.findall(r'<li class="card-box queue-item[^"]*" id="([a-z]+-\d+)"', html)


def _flash(html: str) -> str:
    found = re.findall(r'<p class="flash flash-(?:error|success)"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no flash message"
    return " ".join(found)


def _post(client: FlaskClient, path: str, **data: Any) -> str:
    resp = client.post(path, data=data, follow_redirects=True)
    assert resp.status_code == 200, resp.status_code
    return text_of(resp)


# ---- the queue ---------------------------------------------------------------

def test_queue_shows_the_exception_with_its_trace_and_a_case_link(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    case, exc = made["case"], made["exception"]
    html = text_of(login(world, "coordinator").get("/exceptions"))
    assert _items(html) == [f"exception-{exc['id']}"]
    assert "MISSING_SIGNATURE" in html and f"{case['number']} has no customer signature" in html
    assert f'href="/cases/{case["id"]}"' in html
    assert "Customer signature is missing" in html  # the trace in words
    assert 'class="badge sev sev-high"' in html
    assert "the coordinators" in html  # routed to the role, no person yet


def test_queue_sorts_by_severity_then_age_and_filters(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import CaseException
    from workorders.platform.models.types import utcnow

    publish_example(world)
    newer = _overtime_case(world)["exception"]
    older = _overtime_case(world)["exception"]
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    bulky = report(photo, signature=upload(world, case["id"], jpeg_bytes()).json["id"])
    bulky["materials"] = [{"article": "CU15", "quantity": "60"}]
    [medium] = _submit(world, case["id"], bulky)["exceptions_opened"]
    assert medium["code"] == "BULK_MATERIAL"
    with world.app.app_context():
        db.session.get(CaseException, older["id"]).created_at = utcnow() - timedelta(days=2)
        # waiting longer than ``newer``, but less severe: severity comes first
        db.session.get(CaseException, medium["id"]).created_at = utcnow() - timedelta(hours=1)
        db.session.commit()

    client = login(world, "coordinator")
    order = _items(text_of(client.get("/exceptions")))
    assert order == [f"exception-{older['id']}", f"exception-{newer['id']}",
                     f"exception-{medium['id']}"]
    assert _items(text_of(client.get("/exceptions?severity=medium"))) == [
        f"exception-{medium['id']}"]
    assert _items(text_of(client.get("/exceptions?code=BULK_MATERIAL"))) == [
        f"exception-{medium['id']}"]
    assert _items(text_of(client.get("/exceptions?age=24h"))) == [f"exception-{older['id']}"]
    assert _items(text_of(client.get("/exceptions?case_type=service"))) == []
    assert len(_items(text_of(client.get("/exceptions?case_type=installation")))) == 3
    assert len(_items(text_of(client.get("/exceptions?assignee=role:coordinator")))) == 3
    assert _items(text_of(client.get(f"/exceptions?case={case['id']}"))) == [
        f"exception-{medium['id']}"]
    assert _items(text_of(client.get("/exceptions?status=resolved"))) == []

    _post(client, f"/exceptions/{newer['id']}/assign", user="me", version=1)
    assert _items(text_of(client.get("/exceptions?assignee=me"))) == [
        f"exception-{newer['id']}"]
    assert f"exception-{newer['id']}" not in _items(text_of(
        client.get("/exceptions?assignee=unassigned")))
    by_email = text_of(client.get(f"/exceptions?assignee={world.a.emails['coordinator']}"))
    assert _items(by_email) == [f"exception-{newer['id']}"]


def test_assign_to_me_then_to_a_person_then_nobody(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, "coordinator")
    html = _post(client, f"/exceptions/{eid}/assign", user="me", version=1,
                 next="/exceptions?severity=high")
    assert "assigned to Coordinator of Alpha Heat AB" in _flash(html)
    assert _exception(world, eid)["assigned_to"] == world.a.emails["coordinator"]
    assert 'data-testid="assign-me"' not in html  # it is mine already

    _post(client, f"/exceptions/{eid}/assign", user=world.a.emails["admin"], version=2)
    assert _exception(world, eid)["assigned_to"] == world.a.emails["admin"]
    html = _post(client, f"/exceptions/{eid}/assign", user="", version=3)
    assert "nobody has it now" in _flash(html)
    assert _exception(world, eid)["assigned_to"] is None

    html = _post(client, f"/exceptions/{eid}/assign", user="stranger@else.test", version=4)
    assert "stranger@else.test is not a member" in _flash(html)
    assert _exception(world, eid)["version"] == 4


def test_resolve_needs_a_note_and_then_closes_it(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, "coordinator")
    html = _post(client, f"/exceptions/{eid}/resolve", text="  ", version=1)
    assert "Write a few words first" in _flash(html)
    assert _exception(world, eid)["status"] == "open"

    html = _post(client, f"/exceptions/{eid}/resolve", text="Customer signed on paper",
                 version=1)
    assert f"Resolved MISSING_SIGNATURE on {made['case']['number']}" in _flash(html)
    stored = _exception(world, eid)
    assert (stored["status"], stored["note"]) == ("resolved", "Customer signed on paper")
    assert _items(html) == []  # the default view is the open ones
    closed = text_of(client.get("/exceptions?status=resolved"))
    assert "Customer signed on paper" in closed and 'data-testid="reopen"' in closed

    html = _post(client, f"/exceptions/{eid}/resolve", text="again", version=2)
    assert "Nothing was saved: the exception is resolved, not open." in _flash(html)


def test_override_then_reopen(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, "admin")
    _post(client, f"/exceptions/{eid}/override", text="Signature is on the paper copy",
          version=1)
    assert _exception(world, eid)["status"] == "overridden"
    html = _post(client, f"/exceptions/{eid}/reopen", version=2)
    assert "Reopened MISSING_SIGNATURE" in _flash(html)
    assert _exception(world, eid)["status"] == "open"
    actions = [e["action"] for e in world.api().get(
        f"/api/v1/cases/{made['case']['id']}/events").json["items"]]
    assert "exception:overridden" in actions and "exception:reopened" in actions


def test_a_stale_row_changes_nothing(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    world.api("coordinator").post(f"/api/v1/exceptions/{eid}/assign",
                                  json={"user": world.a.emails["admin"]})  # now version 2
    client = login(world, "coordinator")
    html = _post(client, f"/exceptions/{eid}/resolve", text="Done", version=1)
    assert "Someone changed this exception while you had the page open" in _flash(html)
    stored = _exception(world, eid)
    assert (stored["status"], stored["version"]) == ("open", 2)
    html = _post(client, f"/exceptions/{eid}/assign", user="me", version=1)
    assert "nothing was saved" in _flash(html)
    assert _exception(world, eid)["assigned_to"] == world.a.emails["admin"]


@pytest.mark.parametrize("role", ["technician", "viewer"])
def test_only_coordinators_and_admins_work_the_queue(
        overtime: tuple[World, dict[str, Any]], role: str) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, role)
    assert client.get("/exceptions").status_code == 403
    for action, data in (("assign", {"user": "me"}), ("resolve", {"text": "x"}),
                         ("override", {"text": "x"}), ("reopen", {})):
        resp = client.post(f"/exceptions/{eid}/{action}", data={**data, "version": 1})
        assert resp.status_code == 403, action
    stored = _exception(world, eid)
    assert (stored["status"], stored["assigned_to"], stored["version"]) == ("open", None, 1)
    assert 'data-testid="nav-exceptions"' not in text_of(signed_in_home(client))


def test_another_tenants_exception_is_not_found(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, "coordinator", tenant="b")
    assert client.post(f"/exceptions/{eid}/resolve",
                       data={"text": "x", "version": 1}).status_code == 404
    assert client.get(f"/exceptions?case={made['case']['id']}").status_code == 404
    assert _items(text_of(client.get("/exceptions?status=all"))) == []
    assert _exception(world, eid)["status"] == "open"


def test_back_links_stay_on_our_pages(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    eid = made["exception"]["id"]
    client = login(world, "coordinator")
    for evil in ("https://evil.test/", "//evil.test/exceptions", "/exceptions\\@evil"):
        resp = client.post(f"/exceptions/{eid}/assign",
                           data={"user": "", "version": _exception(world, eid)["version"],
                                 "next": evil})
        assert resp.status_code == 302 and resp.headers["Location"] == "/exceptions"
    resp = client.post(f"/exceptions/{eid}/assign", data={
        "user": "", "version": _exception(world, eid)["version"], "next": "/exceptions?code=X"})
    assert resp.headers["Location"] == "/exceptions?code=X"


def test_nav_counts_open_exceptions_and_my_approvals(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, _made = overtime
    html = text_of(login(world, "coordinator").get("/"))
    exceptions = re.search(r'data-testid="nav-exceptions"[^>]*>Exceptions <span class="nav-count"'
                           r'[^>]*>(\d+)</span>', html)
    approvals = re.search(r'data-testid="nav-approvals"[^>]*>Approvals <span class="nav-count"'
                          r'[^>]*>(\d+)</span>', html)
    assert exceptions and exceptions.group(1) == "1"
    assert approvals and approvals.group(1) == "1"
    admin = text_of(login(world, "admin").get("/"))
    assert 'data-testid="nav-exceptions"' in admin
    assert re.search(r'>Approvals</a>', admin)  # nothing routed to the admins: no badge


# ---- the inbox ------------------------------------------------------------------

def test_inbox_shows_only_what_is_routed_to_me(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    aid = made["approval"]["id"]
    html = text_of(login(world, "coordinator").get("/approvals"))
    assert _items(html) == [f"approval-{aid}"]
    assert "17 h reported on" in html and "Total hours 17 is more than 16" in html
    assert f'href="/cases/{made["case"]["id"]}"' in html
    assert 'data-testid="approve"' in html and 'data-testid="reject"' in html
    # one wording for who decides, the same as the blocker's and the case page's
    assert '<span class="qi-who" data-testid="approver">for a coordinator</span>' in html
    for role in ("technician", "admin", "viewer"):
        assert _items(text_of(login(world, role).get("/approvals"))) == [], role


def test_approve_from_the_inbox(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    aid = made["approval"]["id"]
    client = login(world, "coordinator")
    html = _post(client, f"/approvals/{aid}/decision", decision="approve",
                 comment="Agreed by phone", version=1)
    assert f"Approved on {made['case']['number']}" in _flash(html)
    stored = _approval(world, aid)
    assert (stored["status"], stored["comment"]) == ("approved", "Agreed by phone")
    assert _items(html) == []  # pending only by default
    decided = text_of(client.get("/approvals?show=all"))
    assert _items(decided) == [f"approval-{aid}"] and "Agreed by phone" in decided
    assert 'data-testid="approve"' not in decided

    html = _post(client, f"/approvals/{aid}/decision", decision="reject", version=2)
    assert "Nothing was saved: the approval was already approved." in _flash(html)
    html = _post(client, f"/approvals/{aid}/decision", decision="reject", version=1)
    assert "nothing was saved" in _flash(html)
    assert _approval(world, aid)["status"] == "approved"


def test_a_rejection_raises_an_exception_and_html_stays_text(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    aid, cid = made["approval"]["id"], made["case"]["id"]
    evil = "<img src=x onerror=alert(1)>"
    client = login(world, "coordinator")
    html = _post(client, f"/approvals/{aid}/decision", decision="reject", comment=evil,
                 version=1, next="/approvals?show=all")
    assert "APPROVAL_REJECTED" in _flash(html)
    assert 'data-testid="raised"' in html and "APPROVAL_REJECTED</strong> (open)" in html
    assert evil not in html and "&lt;img src=x onerror=alert(1)&gt;" in html

    queue = text_of(client.get(f"/exceptions?case={cid}"))
    assert "APPROVAL_REJECTED" in queue
    assert evil not in queue and "&lt;img src=x onerror=alert(1)&gt;" in queue
    case_page = text_of(client.get(f"/cases/{cid}"))
    assert evil not in case_page and "APPROVAL_REJECTED" in case_page


@pytest.mark.parametrize("role", ["technician", "admin", "viewer"])
def test_only_the_routed_people_may_decide(overtime: tuple[World, dict[str, Any]],
                                           role: str) -> None:
    world, made = overtime
    aid = made["approval"]["id"]
    resp = login(world, role).post(f"/approvals/{aid}/decision",
                                   data={"decision": "approve", "version": 1})
    assert resp.status_code == 403
    assert _approval(world, aid)["status"] == "pending"
    other = login(world, "coordinator", tenant="b").post(
        f"/approvals/{aid}/decision", data={"decision": "approve", "version": 1})
    assert other.status_code == 404


def test_a_bad_decision_value_changes_nothing(overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    aid = made["approval"]["id"]
    html = _post(login(world, "coordinator"), f"/approvals/{aid}/decision",
                 decision="maybe", version=1)
    assert "incomplete or expired" in _flash(html)
    assert _approval(world, aid)["status"] == "pending"


# ---- the case page's box ----------------------------------------------------------

def test_case_page_lists_open_outcomes_with_links_to_act(
        overtime: tuple[World, dict[str, Any]]) -> None:
    world, made = overtime
    cid, eid, aid = made["case"]["id"], made["exception"]["id"], made["approval"]["id"]
    html = text_of(login(world, "coordinator").get(f"/cases/{cid}"))
    assert "Exceptions and approvals" in html
    assert f'href="/exceptions?case={cid}#exception-{eid}"' in html
    assert f'href="/approvals#approval-{aid}"' in html
    assert "Total hours 17 is more than 16" in html
    assert "waiting for a coordinator" in html  # who decides, in the inbox's words

    tech = text_of(login(world, "technician").get(f"/cases/{cid}"))
    assert "Exceptions and approvals" in tech and "MISSING_SIGNATURE" in tech
    assert "/exceptions?case=" not in tech and "/approvals#approval-" not in tech
