"""Issue 16: a case's life tells exactly the expected people, once each, and
retries, corrections and re-evaluations never tell them twice."""

from __future__ import annotations

from typing import Any

from tests.support.capture import jpeg_bytes, png_bytes, report, upload
from tests.support.cases import book, publish_example
from tests.support.exports import drain, invoice, ready_case
from tests.support.world import World

COMMISSIONING = {"flow_temperature": "45", "leak_test_passed": True,
                 "commissioning_date": "2026-11-26"}
PHONE = "+46701234567"


def messages(world: World, case_id: int) -> list[tuple[str, str, str, str, str]]:
    """(source, template, channel, address, status) of a case's notifications."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Notification

    with world.app.app_context():
        rows = db.session.query(Notification).filter_by(case_id=case_id).order_by(
            Notification.id).all()
        return [(r.source, r.template, r.channel, r.address, r.status) for r in rows]


def move(world: World, case_id: int, transition: str, role: str = "coordinator") -> Any:
    resp = world.api(role).post(f"/api/v1/cases/{case_id}/transitions",
                                json={"transition": transition})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def test_scheduling_tells_the_technician_by_email_and_in_app(world: World) -> None:
    publish_example(world)
    case = book(world)
    assert messages(world, case["id"]) == []  # booking tells nobody
    move(world, case["id"], "schedule")
    tech = world.a.emails["technician"]
    assert messages(world, case["id"]) == [
        ("on_enter:scheduled", "job_waiting", "email", tech, "sent"),
        ("on_enter:scheduled", "job_waiting", "in_app", tech, "sent")]


def test_a_case_from_booking_to_invoice_tells_exactly_the_expected_people(
        world: World) -> None:
    publish_example(world)
    case = ready_case(world)
    cid = case["id"]
    on_my_way = world.api("technician").post(f"/api/v1/cases/{cid}/on-my-way")
    assert on_my_way.status_code in (200, 409)  # in progress already: not a journey any more
    invoice(world, cid)
    drain(world.app)
    tech, coordinator = world.a.emails["technician"], world.a.emails["coordinator"]
    assert messages(world, cid) == [
        ("on_enter:scheduled", "job_waiting", "email", tech, "sent"),
        ("on_enter:scheduled", "job_waiting", "in_app", tech, "sent"),
        ("rule:tell_customer_we_are_coming", "technician_on_the_way", "sms", PHONE, "sent"),
        # in progress is the technician's own doing: nobody is told
        ("on_enter:work_done", "needs_your_role", "in_app", coordinator, "sent"),
        # ready for invoicing: the coordinator released it themselves; invoiced is final
    ]


def test_retries_corrections_and_reevaluations_tell_nobody_twice(world: World) -> None:
    publish_example(world)
    case = book(world)
    cid = case["id"]
    move(world, cid, "schedule")
    move(world, cid, "start", role="technician")
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    data = {"form": "installation_report", "data": report(photo, signature)}
    key = {"Idempotency-Key": "report-once"}
    tech = world.api("technician")
    first = tech.post(f"/api/v1/cases/{cid}/submissions", json=data, headers=key)
    again = tech.post(f"/api/v1/cases/{cid}/submissions", json=data, headers=key)
    assert first.status_code == 201 and again.status_code in (200, 201)
    before = messages(world, cid)
    final_id = first.json["submission"]["id"]
    fix = world.api("coordinator").post(f"/api/v1/submissions/{final_id}/corrections",
                                        json={"data": report(photo, signature),
                                              "reason": "Same values, saved again"})
    assert fix.status_code == 201, fix.get_data(as_text=True)
    drain(world.app)
    assert messages(world, cid) == before
    assert len([m for m in before if m[0] == "rule:tell_customer_we_are_coming"]) == 1


def publish_with(world: World, settings: str, templates: str = "") -> None:
    """The example bundle with ``settings`` (YAML lines under ``notifications:``) and
    ``templates`` (more lines under ``notifications.templates``)."""
    from tests.support.cases import ROOT
    from workorders.platform.services.definitions import create_draft, publish_version

    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    assert "\nnotifications:\n  templates:\n" in source
    source = source.replace("\nnotifications:\n  templates:\n",
                            f"\nnotifications:\n{settings}  templates:\n{templates}", 1)
    with world.app.app_context():
        draft = create_draft(world.a.tenant_id, source.encode(), world.a.emails["admin"])
        assert draft.status != "invalid", draft
        publish_version(world.a.tenant_id, draft.number, world.a.emails["admin"])


def test_a_text_message_in_quiet_hours_waits_for_the_morning(world: World) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from workorders.platform.extensions import db
    from workorders.platform.jobs.runner import run_job
    from workorders.platform.models import Notification, OutboxJob

    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Stockholm"))
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    publish_with(world, f'  quiet_hours: {{start: "{start:%H:%M}", end: "{end:%H:%M}"}}\n')
    case = book(world)
    move(world, case["id"], "schedule")
    move(world, case["id"], "start", role="technician")
    [sms] = [m for m in messages(world, case["id"]) if m[2] == "sms"]
    assert sms[3:] == (PHONE, "held")
    with world.app.app_context():
        row = db.session.query(Notification).filter_by(case_id=case["id"],
                                                        channel="sms").one()
        job = db.session.get(OutboxJob, row.job_id)
        assert job is not None and job.status == "pending" and job.attempts == 0
        morning = end.replace(second=0, microsecond=0).astimezone(UTC)
        assert row.send_after == morning and job.run_after == morning
        job.run_after = datetime.now(UTC)  # the morning has come (and quiet hours end)
        db.session.commit()
        job_id = job.id
    publish_with(world, "")  # the admin shortened the quiet hours meanwhile
    assert run_job(world.app, job_id) == "done"
    [sms] = [m for m in messages(world, case["id"]) if m[2] == "sms"]
    assert sms[3:] == (PHONE, "sent")


def test_the_tenants_own_throttle_is_lower_than_the_servers(world: World) -> None:
    publish_with(world, "  throttle: {per_recipient_per_hour: 1}\n")
    first, second = book(world), book(world)
    for case in (first, second):
        move(world, case["id"], "schedule")
    tech = world.a.emails["technician"]
    statuses = [m[4] for c in (first, second) for m in messages(world, c["id"])
                if m[3] == tech and m[2] == "email"]
    assert statuses == ["sent", "throttled"]
