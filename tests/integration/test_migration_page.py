"""The admin page for moving open cases to the published version (issue 14), on both
databases: what it offers, the dry run's report, applying it as a task and its
result, and every refusal in the service's words with nothing written."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tests.integration.test_capture_pages import login
from tests.integration.test_definition_pages import _token, csrf_app  # noqa: F401 (fixture)
from tests.support.migration import Cases, cases_in_every_state, publish
from tests.support.repairs import V1, V2
from tests.support.state import snapshot
from tests.support.world import PASSWORD, World

COMMENT = "Waiting becomes On hold; Review is gone"
PAGE = "/admin/definitions/2/migrate"
#: the page's form as the admin sends it for the repair bundle: Waiting -> On hold,
#: Urgency kept as Priority (the defaults keep Booked, In progress and Done)
SENT = {"from_version": "1", "state__booked": "booked", "state__in_progress": "in_progress",
        "state__waiting": "on_hold", "state__review": "", "state__done": "done",
        "field__urgency": "priority"}


def _prepared(world: World) -> Cases:
    cases = cases_in_every_state(world)
    assert publish(world, V2) == 2
    return cases


def _html(resp: Any) -> str:
    return str(resp.get_data(as_text=True))


def _row(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start:page.index("</tr>", start)]


def _selected(page: str, name: str) -> str:
    select = page[page.index(f'name="{name}"'):]
    select = select[:select.index("</select>")]
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else ""


def _options(page: str, name: str) -> list[str]:
    select = page[page.index(f'name="{name}"'):]
    return re.findall(r'<option value="([^"]*)"', select[:select.index("</select>")])


def _on_version(world: World, case_ids: list[int]) -> dict[int, int]:
    return {i: world.api("admin").get(f"/api/v1/cases/{i}").json["definition_version"]
            for i in case_ids}


def test_the_page_offers_the_versions_states_and_fields_with_defaults(world: World) -> None:
    _prepared(world)
    page = _html(login(world, "admin").get(PAGE))
    assert 'data-testid="from-version-1"' in page and "8 open cases" in page
    assert re.search(r'name="from_version" value="1" checked', page)
    # every state open cases are in, with its label and count; the same id preselected
    assert "Waiting" in _row(page, "state-waiting") and "Review" in _row(page, "state-review")
    assert ">2</td>" in _row(page, "state-in_progress")  # no_notes, long_notes
    assert ">2</td>" in _row(page, "state-done")  # the two exported ones
    assert _selected(page, "state__booked") == "booked"
    assert _selected(page, "state__in_progress") == "in_progress"
    assert _selected(page, "state__waiting") == ""  # gone in version 2: choose
    assert _selected(page, "state__review") == ""
    # final states are not offered (a move does not close cases)
    assert _options(page, "state__waiting") == ["", "booked", "in_progress", "on_hold", "done"]
    assert 'name="state__invoiced"' not in page and 'name="state__cancelled"' not in page
    # the field version 2 lacks: map it to one of version 2's fields, or drop it
    assert _options(page, "field__urgency") == ["", "priority", "_drop"]
    assert ">Priority</option>" in page and "drop the value" in page


def test_a_dry_run_from_the_page_writes_nothing_and_reports_in_words(world: World) -> None:
    c = _prepared(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = admin.post(PAGE, data={**SENT, "action": "dry_run"})
    assert resp.status_code == 200
    assert snapshot(world.app) == before  # not a row, not an audit event
    page = _html(resp)
    assert "4 of 8 open cases can move to version 2; 4 cannot." in page
    waiting = _row(page, f"case-{c.waiting}")
    assert f'href="/cases/{c.waiting}"' in waiting
    assert "version 1 · Waiting" in waiting and "On hold" in waiting and "Yes." in waiting
    review = _row(page, f"case-{c.review}")
    assert "version 1 · Review" in review
    assert str(escape("the state 'Review' (review) does not exist in version 2; map it to one "
                      "of: booked, in_progress, on_hold, done, invoiced, cancelled")) in review
    assert str(escape("case field 'Priority': This field is required.")) in _row(
        page, f"case-{c.booked_without_urgency}")
    assert str(escape("'Notes': At most 40 characters.")) in _row(page, f"case-{c.long_notes}")
    assert "line &#39;Travel&#39; 1 x 400.00 becomes 1 x 450.00" in _row(
        page, f"case-{c.exported_travel}")
    for gone in (c.invoiced, c.cancelled):
        assert f'data-testid="case-{gone}"' not in page  # final cases are not offered
    changes = page[page.index('data-testid="migrate-changes"'):]
    assert str(escape("'urgency' becomes 'Priority'")) in changes
    assert str(escape("rule 'long_job' changed")) in changes
    # what was chosen is shown again as it was sent
    assert _selected(page, "state__waiting") == "on_hold"
    assert _selected(page, "field__urgency") == "priority"


def test_moving_from_the_page_runs_the_task_and_the_result_links_the_cases(
        world: World) -> None:
    c = _prepared(world)
    admin = login(world, "admin")
    resp = admin.post(PAGE, data={**SENT, "action": "apply", "comment": COMMENT})
    assert resp.status_code == 302
    found = re.fullmatch(r".*/admin/definitions/2/migrations/(\d+)", resp.headers["Location"])
    assert found is not None, resp.headers["Location"]
    moved = [c.booked, c.waiting, c.no_notes, c.exported]
    assert set(_on_version(world, moved).values()) == {2}  # jobs run in-process in tests
    assert set(_on_version(world, [c.review, c.long_notes]).values()) == {1}
    page = _html(admin.get(resp.headers["Location"]))
    assert 'data-status="done"' in page and "http-equiv=\"refresh\"" not in page
    assert "4 of 8 open cases moved to version 2; 4 could not move." in page
    moved_part = page[page.index('data-testid="outcome-migrated"'):
                      page.index('data-testid="outcome-not-migratable"')]
    for case_id in moved:
        assert f'href="/cases/{case_id}"' in moved_part
    assert "version 1 · Waiting" in _row(moved_part, f"case-{c.waiting}")
    assert "On hold" in _row(moved_part, f"case-{c.waiting}")
    stays = page[page.index('data-testid="outcome-not-migratable"'):]
    assert f'href="/cases/{c.review}"' in stays and "does not exist in version 2" in stays
    assert str(escape(COMMENT)) in page
    events = world.api("admin").get(f"/api/v1/cases/{c.waiting}/events").json["items"]
    assert [e["comment"] for e in events if e["action"] == "case.migrated"] == [COMMENT]


def test_a_running_move_shows_its_progress_and_refreshes(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Task

    _prepared(world)
    admin = login(world, "admin")
    resp = admin.post(PAGE, data={**SENT, "action": "apply", "comment": COMMENT})
    task_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    with world.app.app_context():  # as a worker leaves it part-way
        task = db.session.get(Task, task_id)
        task.status, task.done, task.total, task.result = "running", 1, 4, None
        db.session.commit()
    page = _html(admin.get(resp.headers["Location"]))
    assert "Moving: 1 of 4 cases done" in page
    # the refresh names the page: after the form's #fragment a bare one only scrolls
    assert f'content="2; url=/admin/definitions/2/migrations/{task_id}"' in page
    with world.app.app_context():  # and a worker that gave up
        task = db.session.get(Task, task_id)
        task.status, task.error = "failed", "OperationalError: the database went away"
        db.session.commit()
    page = _html(admin.get(resp.headers["Location"]))
    assert "The move stopped: OperationalError: the database went away." in page
    assert 'http-equiv="refresh"' not in page


def test_a_case_changed_after_the_plan_is_listed_as_skipped_with_why(
        app_config: dict[str, Any]) -> None:
    from sqlalchemy import select

    from tests.support.migration import move
    from tests.support.world import make_tenant
    from workorders.platform import create_app
    from workorders.platform.extensions import db
    from workorders.platform.jobs.runner import run_job
    from workorders.platform.models import OutboxJob

    # Redis is unreachable: the job waits in the outbox until this test runs it
    app = create_app({**app_config, "redis_url": "redis://127.0.0.1:1/0", "jobs_sync": False})
    world = World(app=app, a=make_tenant(app, "alpha", "Alpha AB"),
                  b=make_tenant(app, "bravo", "Bravo AB"))
    c = _prepared(world)
    admin = login(world, "admin")
    resp = admin.post(PAGE, data={**SENT, "action": "apply", "comment": COMMENT})
    assert resp.status_code == 302
    queued = _html(admin.get(resp.headers["Location"]))
    assert "Waiting to start: 0 of 4 cases done" in queued
    move(world, c.booked, "start")  # changed after the plan
    with app.app_context():
        job_id = db.session.execute(select(OutboxJob.id).where(
            OutboxJob.kind == "definitions.migrate")).scalar_one()
    assert run_job(app, job_id) == "done"
    page = _html(admin.get(resp.headers["Location"]))
    assert "3 of 8 open cases moved to version 2; 1 skipped; 4 could not move." in page
    skipped = page[page.index('data-testid="outcome-skipped"'):]
    row = _row(skipped, f"case-{c.booked}")
    assert f'href="/cases/{c.booked}"' in row and "unchanged" in row
    assert "Skipped: the case changed after the dry run (version 1 → 2); run the migration " \
           "again" in row


def test_a_long_report_lists_the_cases_that_cannot_move_first(
        world: World, monkeypatch: Any) -> None:
    from workorders.platform.web import migration_page

    c = _prepared(world)
    monkeypatch.setattr(migration_page, "SHOWN", 3)
    page = _html(login(world, "admin").post(PAGE, data={**SENT, "action": "dry_run"}))
    listed = [int(i) for i in re.findall(r'data-testid="case-(\d+)"', page)]
    assert len(listed) == 3
    assert set(listed) <= {c.review, c.long_notes, c.booked_without_urgency, c.exported_travel}
    assert "And 5 more cases not listed here" in page


def test_bad_input_gets_the_services_words_keeps_what_was_typed_and_writes_nothing(
        world: World) -> None:
    c = _prepared(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    unknown = admin.post(PAGE, data={**SENT, "state__waiting": "parked", "action": "dry_run",
                                     "comment": "kept text"})
    assert unknown.status_code == 422
    page = _html(unknown)
    error = page[page.index('data-testid="state-error-waiting"'):]
    assert error.startswith('data-testid="state-error-waiting">' + str(escape(
        "'parked' is not a state in version 2; its states are: booked, cancelled, done, "
        "in_progress, invoiced, on_hold")))
    assert _selected(page, "state__waiting") == "parked" and "kept text" in page
    no_comment = admin.post(PAGE, data={**SENT, "action": "apply", "comment": "   "})
    assert no_comment.status_code == 422
    assert "A migration needs a comment" in _html(no_comment)
    assert str(escape("say why the cases move (it goes in each case's audit trail)")) in \
        _html(no_comment)
    field = admin.post(PAGE, data={**SENT, "field__urgency": "prio", "action": "apply",
                                   "comment": COMMENT})
    assert field.status_code == 422
    assert str(escape("'prio' is not a case field in version 2")) in _html(field)
    assert _selected(_html(field), "field__urgency") == "prio"
    for data, words in (({**SENT, "from_version": "7"}, "there is no version 7"),
                        ({**SENT, "from_version": "x"}, "is not a version number"),
                        ({**SENT, "case_type": "boiler"},
                         "&#39;boiler&#39; is not a case type of the target version"),
                        ({k: v for k, v in SENT.items() if k != "from_version"},
                         "tick at least one version")):
        resp = admin.post(PAGE, data={**data, "action": "apply", "comment": COMMENT})
        assert resp.status_code == 422 and words in _html(resp), words
    assert snapshot(world.app) == before
    assert set(_on_version(world, c.open_ids()).values()) == {1}


def test_only_the_published_version_is_a_target(world: World) -> None:
    _prepared(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    page = admin.get("/admin/definitions/1/migrate")
    assert page.status_code == 200
    assert ("Version 1 is retired: cases move only to the published version; publish it "
            "first.") in _html(page)
    assert 'data-testid="migrate-form"' not in _html(page)
    posted = admin.post("/admin/definitions/1/migrate",
                        data={**SENT, "action": "apply", "comment": COMMENT})
    assert posted.status_code == 409
    assert snapshot(world.app) == before


def test_nothing_to_move_says_so(world: World) -> None:
    publish(world, V1)
    page = _html(login(world, "admin").get("/admin/definitions/1/migrate"))
    assert "No open case is on another version" in page
    assert 'data-testid="migrate-form"' not in page


def test_admins_only_and_another_tenants_version_or_task_is_404(world: World) -> None:
    _prepared(world)
    coordinator = login(world, "coordinator")
    before = snapshot(world.app)
    assert coordinator.get(PAGE).status_code == 403
    assert coordinator.post(PAGE, data={**SENT, "action": "apply",
                                        "comment": COMMENT}).status_code == 403
    assert snapshot(world.app) == before
    resp = login(world, "admin").post(PAGE, data={**SENT, "action": "apply",
                                                  "comment": COMMENT})
    task_path = resp.headers["Location"]
    other = login(world, "admin", tenant="b")  # bravo has no version 2 and not this task
    after = snapshot(world.app)
    assert other.get(PAGE).status_code == 404
    assert other.post(PAGE, data={**SENT, "action": "dry_run"}).status_code == 404
    assert other.get(task_path).status_code == 404
    publish(world, V1, tenant="b")
    publish(world, V2, tenant="b")  # now bravo has a version 2, still not alpha's task
    assert other.get(task_path).status_code == 404
    assert login(world, "admin").get(task_path.replace("/2/", "/1/")).status_code == 404
    assert coordinator.get(task_path).status_code == 403
    after_b = snapshot(world.app)  # bravo's versions aside, nothing changed
    assert {k: v for k, v in after_b.items() if k in ("cases", "tasks")} == {
        k: v for k, v in after.items() if k in ("cases", "tasks")}


def test_a_post_needs_the_pages_csrf_token(csrf_app: Flask, world: World) -> None:  # noqa: F811
    _prepared(world)
    client: FlaskClient = csrf_app.test_client()
    assert client.post("/login", data={"email": world.a.emails["admin"], "password": PASSWORD,
                                       "csrf_token": _token(client.get("/login").get_data(
                                           as_text=True))}).status_code == 302
    before = snapshot(csrf_app)
    resp = client.post(PAGE, data={**SENT, "action": "apply", "comment": COMMENT})
    assert resp.status_code == 400
    assert snapshot(csrf_app) == before
    page = _html(client.get(PAGE))
    resp = client.post(PAGE, data={**SENT, "action": "apply", "comment": COMMENT,
                                   "csrf_token": _token(page)})
    assert resp.status_code == 302


def test_the_published_version_links_to_the_page(world: World) -> None:
    _prepared(world)
    admin = login(world, "admin")
    listing = _html(admin.get("/admin/definitions"))
    assert f'href="{PAGE}"' in _row(listing, "version-2")
    assert f'href="{PAGE}"' not in _row(listing, "version-1")
    assert f'href="{PAGE}"' in _html(admin.get("/admin/definitions/2"))
    assert 'href="/admin/definitions/1/migrate"' not in _html(admin.get("/admin/definitions/1"))


def test_publishing_says_how_many_open_cases_stay_behind_and_where_to_move_them(
        world: World) -> None:
    _prepared(world)
    resp = world.api("admin").post("/api/v1/definitions", headers={
        "Content-Type": "application/yaml"},
        data=V2.replace("name: Fixit repairs", "name: Fixit repairs, spring").encode())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    draft = int(resp.json["version"])
    admin = login(world, "admin")
    confirm = _html(admin.get(f"/admin/definitions/{draft}/publish"))
    later = confirm[confirm.index('data-testid="migrate-later"'):]
    assert f'href="/admin/definitions/{draft}/migrate"' in later[:later.index("</p>")]
    done = admin.post(f"/admin/definitions/{draft}/publish", data={"comment": "spring"},
                      follow_redirects=True)
    assert done.status_code == 200
    assert (f"8 open cases stay on version 1: move them with “Move open cases here…” beside "
            f"version {draft}.") in _html(done)
    assert f'href="/admin/definitions/{draft}/migrate"' in _row(_html(done), f"version-{draft}")
