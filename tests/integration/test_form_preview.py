"""The editor's form preview: the technician's real page for a made-up case, framed
only by our own pages, and "try it", which judges typed data like the real page,
shows the rules a final report would fire with their traces, and stores nothing.
The API twin answers the same."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from tests.integration.test_capture_pages import login, pairs
from tests.support.capture import report
from tests.support.cases import ROOT, publish_example
from tests.support.state import snapshot
from tests.support.world import World

PREVIEW = "/admin/definitions/1/forms/installation_report/preview"
TRY = "/api/v1/definitions/1/forms/installation_report/try"


def test_the_preview_is_the_technicians_page_and_only_it_may_be_framed(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    resp = admin.get(PREVIEW)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="capture-form"' in html and "data-preview" in html
    assert f'action="{PREVIEW}"' in html
    assert 'name="time-0-hours"' in html and "Work performed" in html
    assert "INST-PREVIEW-00001" in html and "nothing you send here is stored" in html
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    for path in ("/", "/admin/definitions/1/panels/forms", "/admin/definitions/1/panels/rules"):
        other = admin.get(path)
        assert other.status_code == 200, path
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], path
        assert other.headers["X-Frame-Options"] == "DENY", path


def test_trying_a_report_shows_fired_rules_with_traces_and_stores_nothing(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = admin.post(PREVIEW, data=MultiDict(pairs(report("example", hours="17"), "final")))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Tried: nothing was stored" in html
    assert "A technician could send this as the final report." in html
    assert 'data-rule="overtime_needs_approval"' in html
    assert "Total hours 18 is more than 16" in html
    assert 'data-rule="missing_signature"' in html
    assert "Customer signature is missing" in html
    assert "Waiting for approval by a coordinator: 18 h reported on INST-PREVIEW-00001" in html
    assert 'value="17"' in html  # what was typed stays in the form
    assert snapshot(world.app) == before
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]


def test_bad_data_gets_the_technicians_errors_beside_the_fields(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    data = report("example", hours="abc")
    del data["work_description"]
    html = admin.post(PREVIEW, data=MultiDict(pairs(data, "final"))).get_data(as_text=True)
    assert "A technician would be told to fix 2 things" in html
    assert "Use a number like 2.5" in html
    assert "Fix the marked values to see which rules would fire." in html
    assert 'data-rule="' not in html
    draft = report("example")
    del draft["work_description"]
    html = admin.post(PREVIEW, data=MultiDict(pairs(draft, "draft"))).get_data(as_text=True)
    assert "As a draft this is fine; a final report still needs: work_description." in html
    assert snapshot(world.app) == before


def test_the_api_twin_answers_the_same_and_stores_nothing(world: World) -> None:
    publish_example(world)
    api = world.api("admin")
    before = snapshot(world.app)
    body = api.post(TRY, json={"data": report("example", hours="17")}).json
    assert body["stored"] is False and body["valid"] is True and body["evaluated"] is True
    assert body["totals"]["hours"] == "18"
    fired = {f["rule"]: f for f in body["fired"]}
    assert set(fired) == {"overtime_needs_approval", "missing_signature"}
    assert fired["overtime_needs_approval"]["trace"][0] == {
        "fact": "totals.hours", "op": "gt", "value": 16, "actual": "18", "result": True,
        "note": "", "text": "Total hours 18 is more than 16"}
    assert fired["overtime_needs_approval"]["sentence"].startswith("When total hours is more")
    bad = api.post(TRY, json={"data": report("example", hours="abc")}).json
    assert bad["valid"] is False and bad["evaluated"] is False and bad["fired"] == []
    assert bad["errors"] == [{"path": "/time/0/hours", "message": bad["errors"][0]["message"]}]
    assert "Use a number like 2.5" in bad["errors"][0]["message"]
    assert api.post(TRY, json={"data": "not an object"}).status_code == 422
    assert api.post(TRY, json={}).status_code == 422
    assert snapshot(world.app) == before


def test_a_drafts_new_field_is_in_its_preview(world: World) -> None:
    from workorders.platform.services.definitions import create_draft

    publish_example(world)
    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    source = source.replace(
        "          - {id: installed_heat_pump, type: boolean, label: A heat pump was installed}",
        "          - {id: installed_heat_pump, type: boolean, label: A heat pump was installed}\n"
        "          - {id: outdoor_unit_height, type: decimal, label: Outdoor unit height (m)}")
    with world.app.app_context():
        number = create_draft(world.a.tenant_id, source, world.a.emails["admin"]).number
    admin = login(world, "admin")
    html = admin.get(f"/admin/definitions/{number}/forms/installation_report/preview")
    assert "Outdoor unit height (m)" in html.get_data(as_text=True)
    assert "Outdoor unit height (m)" not in admin.get(PREVIEW).get_data(as_text=True)


def test_wrong_forms_roles_and_tenants_are_refused(world: World) -> None:
    publish_example(world)
    publish_example(world, tenant="b")
    admin = login(world, "admin")
    assert admin.get("/admin/definitions/1/forms/nope/preview").status_code == 404
    assert admin.get("/admin/definitions/2/forms/installation_report/preview").status_code \
        == 404
    api = world.api("admin")
    assert api.post("/api/v1/definitions/1/forms/nope/try", json={"data": {}}).status_code \
        == 404
    assert api.post("/api/v1/definitions/2/forms/installation_report/try",
                    json={"data": {}}).status_code == 404
    for role in ("coordinator", "technician", "viewer"):
        client = login(world, role)
        assert client.get(PREVIEW).status_code == 403
        assert client.post(PREVIEW, data={"_action": "final"}).status_code == 403
        assert world.api(role).post(TRY, json={"data": {}}).status_code == 403
