"""The dispatch week through the Flask test client: the grid, the unassigned
list, double-bookings, moves (form and JSON), stale pages, other tenants' cases
and who may move (issue 15)."""

from __future__ import annotations

from tests.integration.test_case_pages import case_json, login, text_of
from tests.support.cases import book
from tests.support.web import reads, statements
from tests.support.world import World

WEEK = "2026-W49"  # Monday 30 November to Sunday 6 December 2026


def on(day: int, start: str, end: str) -> dict[str, str]:
    """A window on a day of week 49 (30 = Monday), Stockholm winter time."""
    d = f"2026-11-{day}" if day == 30 else f"2026-12-{day:02d}"
    return {"scheduled_start": f"{d}T{start}:00+01:00", "scheduled_end": f"{d}T{end}:00+01:00"}


def cell(html: str, email: str, day: str) -> str:
    return html.split(f'data-testid="cell-{email}-{day}"')[1].split("</td>")[0]


def side(html: str) -> str:
    return html.split('data-testid="unassigned"')[1].split("</aside>")[0]


def test_the_week_shows_each_technicians_cases_on_their_day(world_with_bundle: World) -> None:
    world = world_with_bundle
    tech = world.a.emails["technician"]
    placed = book(world, title="Install in Umeå", **on(1, "08:00", "12:00"))
    open_one = book(world, title="Nobody yet", assignee=None, **on(2, "09:00", "10:00"))
    unscheduled = book(world, title="Some day", assignee=None, scheduled_start=None,
                       scheduled_end=None)
    next_week = book(world, title="Later", **on(1, "08:00", "09:00") | {
        "scheduled_start": "2026-12-08T08:00:00+01:00",
        "scheduled_end": "2026-12-08T09:00:00+01:00"})
    cancelled = book(world, title="Called off", **on(3, "08:00", "09:00"))
    resp = world.api("coordinator").post(f"/api/v1/cases/{cancelled['id']}/transitions",
                                         json={"transition": "cancel", "comment": "no"})
    assert resp.status_code == 200, resp.json
    theirs = book(world, "b", title="Other workspace", **on(1, "08:00", "12:00"))
    html = text_of(login(world, "coordinator").get(f"/dispatch?week={WEEK}"))
    tuesday = cell(html, tech, "2026-12-01")
    assert placed["number"] in tuesday and "Install in Umeå" in tuesday
    assert "Lena Berg" in tuesday and "08:00" in tuesday and "12:00" in tuesday
    assert open_one["number"] in side(html) and unscheduled["number"] in side(html)
    assert "Not scheduled" in side(html)
    for absent in (next_week, cancelled, theirs):
        assert absent["title"] not in html and f'data-case="{absent["id"]}"' not in html
    assert "week=2026-W48" in html and "week=2026-W50" in html and "This week" in html
    assert 'data-testid="weekend-folded"' in html and "2026-12-05" not in html
    assert "Double-booked" not in html
    assert f'data-testid="move-{placed["id"]}"' in html  # the no-JS Move form


def test_this_week_is_the_default_and_the_case_type_filter_narrows(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    client = login(world, "coordinator")
    resp = client.get("/dispatch")
    assert resp.status_code == 200 and 'data-testid="dispatch-grid"' in text_of(resp)
    book(world, title="Install", **on(1, "08:00", "12:00"))
    filtered = text_of(client.get(f"/dispatch?week={WEEK}&case_type=installation"))
    assert "Install" in filtered and "(1 on)" in filtered


def test_bad_week_and_unknown_case_type_are_refused_in_words(world_with_bundle: World) -> None:
    client = login(world_with_bundle, "coordinator")
    bad = client.get("/dispatch?week=soon")
    assert bad.status_code == 400 and "like 2026-W49" in text_of(bad)
    no_such = client.get("/dispatch?week=2026-W54")
    assert no_such.status_code == 400 and "no week 54" in text_of(no_such)
    unknown = client.get(f"/dispatch?week={WEEK}&case_type=spaceship")
    assert unknown.status_code == 400 and "no case type “spaceship”" in text_of(unknown)


def test_a_double_booking_is_marked_on_both_blocks(world_with_bundle: World) -> None:
    world = world_with_bundle
    first = book(world, title="Morning", **on(2, "08:00", "12:00"))
    second = book(world, title="Overlap", **on(2, "11:00", "13:00"))
    third = book(world, title="Afternoon", **on(2, "13:00", "15:00"))
    html = text_of(login(world, "coordinator").get(f"/dispatch?week={WEEK}"))
    mark = html.split(f'data-testid="conflict-{first["id"]}"')[1].split("</p>")[0]
    assert f"Double-booked with {second['number']}" in mark
    mark = html.split(f'data-testid="conflict-{second["id"]}"')[1].split("</p>")[0]
    assert first["number"] in mark and third["number"] not in mark
    assert f'data-testid="conflict-{third["id"]}"' not in html


def test_the_move_form_moves_and_assigns_through_update_case(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, assignee=None, **on(1, "08:00", "12:00"))
    client = login(world, "coordinator")
    resp = client.post("/dispatch/move", data={
        "case_id": str(case["id"]), "version": str(case["version"]),
        "assignee": world.a.emails["technician"], "start": "2026-12-03T10:00",
        "end": "2026-12-03T14:30", "week": WEEK})
    assert resp.status_code == 302 and "week=2026-W49" in resp.headers["Location"]
    moved = case_json(world, case["id"])
    assert moved["assignee"] == world.a.emails["technician"]
    assert moved["scheduled_start"].startswith("2026-12-03T09:00:00")  # 10:00 Stockholm in UTC
    assert moved["version"] == case["version"] + 1
    html = text_of(client.get(resp.headers["Location"]))
    assert f"Moved {case['number']}." in html
    assert case["number"] in cell(html, world.a.emails["technician"], "2026-12-03")


def test_the_drag_script_gets_json_and_can_unassign(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, **on(1, "08:00", "12:00"))
    client = login(world, "coordinator")
    resp = client.post("/dispatch/move", headers={"Accept": "application/json"}, data={
        "case_id": str(case["id"]), "version": str(case["version"]), "assignee": "",
        "start": "2026-12-01T08:00", "end": "2026-12-01T12:00"})
    assert resp.status_code == 200 and resp.json["ok"] is True
    assert resp.json["version"] == case["version"] + 1 and resp.json["week"] == WEEK
    after = case_json(world, case["id"])
    assert after["assignee"] is None and after["scheduled_start"] == case["scheduled_start"]
    assert case["number"] in side(text_of(client.get(f"/dispatch?week={WEEK}")))


def test_a_stale_or_bad_move_changes_nothing_and_says_why(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, **on(1, "08:00", "12:00"))
    client = login(world, "coordinator")
    base = {"case_id": str(case["id"]), "version": str(case["version"] - 1),
            "assignee": world.a.emails["technician"], "start": "2026-12-04T08:00",
            "end": "2026-12-04T12:00", "week": WEEK}
    stale = client.post("/dispatch/move", data=base)
    assert stale.status_code == 412 and "nothing was moved" in text_of(stale)
    stale_json = client.post("/dispatch/move", data=base, headers={"Accept": "application/json"})
    assert stale_json.status_code == 412 and "nothing was moved" in stale_json.json["message"]
    current = dict(base, version=str(case["version"]))
    backwards = client.post("/dispatch/move", data=dict(current, end="2026-12-04T07:00"))
    assert backwards.status_code == 422 and "The end must not be before the start" in \
        text_of(backwards)
    garbled = client.post("/dispatch/move", data=dict(current, start="tomorrow"),
                          headers={"Accept": "application/json"})
    assert garbled.status_code == 422 and "like 2026-12-03T08:00" in garbled.json["message"]
    nobody = client.post("/dispatch/move", data=dict(current, assignee="viewer@nowhere.test"))
    assert nobody.status_code == 422 and "is not a technician here" in text_of(nobody)
    missing = client.post("/dispatch/move", data=dict(current, version="x"),
                          headers={"Accept": "application/json"})
    assert missing.status_code == 422 and "reload the page" in missing.json["message"]
    after = case_json(world, case["id"])
    assert after["version"] == case["version"]
    assert after["scheduled_start"] == case["scheduled_start"]


def test_another_tenants_case_is_not_found(world_with_bundle: World) -> None:
    world = world_with_bundle
    theirs = book(world, "b", **on(1, "08:00", "12:00"))
    client = login(world, "coordinator")
    data = {"case_id": str(theirs["id"]), "version": str(theirs["version"]), "assignee": "",
            "start": "2026-12-02T08:00", "end": "2026-12-02T12:00"}
    assert client.post("/dispatch/move", data=data).status_code == 404
    assert client.post("/dispatch/move", data=data,
                       headers={"Accept": "application/json"}).status_code == 404
    assert world.api("admin", "b").get(f"/api/v1/cases/{theirs['id']}").json["version"] == \
        theirs["version"]


def test_technicians_and_viewers_see_the_week_but_cannot_move(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = book(world, **on(1, "08:00", "12:00"))
    data = {"case_id": str(case["id"]), "version": str(case["version"]), "assignee": "",
            "start": "2026-12-02T08:00", "end": "2026-12-02T12:00"}
    for role in ("technician", "viewer"):
        client = login(world, role)
        html = text_of(client.get(f"/dispatch?week={WEEK}"))
        assert case["number"] in html and 'data-testid="read-only"' in html
        assert 'name="case_id"' not in html  # no Move forms
        assert 'draggable="true"' not in html and "dispatch.js" not in html
        assert client.post("/dispatch/move", data=data).status_code == 403
        refused = client.post("/dispatch/move", data=data, headers={"Accept": "application/json"})
        assert refused.status_code == 403 and "coordinator or admin" in refused.json["message"]
    assert case_json(world, case["id"])["version"] == case["version"]


def test_the_week_is_read_with_a_fixed_number_of_queries(world_with_bundle: World) -> None:
    world = world_with_bundle
    client = login(world, "coordinator")

    def selects_for_page() -> int:
        with statements(world.app) as seen:
            assert client.get(f"/dispatch?week={WEEK}").status_code == 200
        return reads(seen)

    book(world, **on(1, "08:00", "12:00"))
    few = selects_for_page()
    for day in (2, 3, 4):
        book(world, **on(day, "08:00", "12:00"))
        book(world, assignee=None, **on(day, "13:00", "14:00"))
    assert selects_for_page() == few


def _set_status(world: World, case_id: int, status: str) -> None:
    """Put a case in a state directly (reaching Work done through the pages needs
    two submitted reports, which other tests cover)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    with world.app.app_context():
        db.session.get(Case, case_id).status = status  # type: ignore[union-attr]
        db.session.commit()


def test_finished_work_is_muted_and_invoiced_work_left_out(world_with_bundle: World) -> None:
    world = world_with_bundle
    done = book(world, title="Finished job", **on(1, "08:00", "10:00"))
    invoiced = book(world, title="Billed job", **on(1, "10:00", "12:00"))
    done_unassigned = book(world, title="Done, nobody", assignee=None, **on(2, "08:00", "09:00"))
    _set_status(world, done["id"], "work_done")
    _set_status(world, invoiced["id"], "invoiced")
    _set_status(world, done_unassigned["id"], "ready_for_invoice")
    html = text_of(login(world, "coordinator").get(f"/dispatch?week={WEEK}"))
    block = html.split(f'data-case="{done["id"]}"')[0].rsplit("<article", 1)[1]
    assert "muted" in block
    assert "Work done" in html.split(f'data-case="{done["id"]}"')[1].split("</article>")[0]
    assert "Billed job" not in html and "Done, nobody" not in html


def test_before_anything_is_published_the_week_is_empty_not_broken(world: World) -> None:
    resp = login(world, "coordinator").get(f"/dispatch?week={WEEK}")
    assert resp.status_code == 200
    html = text_of(resp)
    assert "Every case is assigned." in html and "All case types" in html
