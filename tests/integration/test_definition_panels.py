"""The editor's see-it panels and their API twins: rules in words, vocabulary,
golden tests with traces, lifecycle, connectors and simulation; admins only,
another tenant's versions 404."""

from __future__ import annotations

import pytest

from tests.integration.test_capture_pages import login
from tests.support.cases import book, golden_test_count, publish_example
from tests.support.state import snapshot
from tests.support.world import World

PANELS = ("lifecycle", "forms", "rules", "messages", "connectors", "tests", "simulate")


def _draft_from_published(world: World) -> int:
    """A second version: a draft copy of the published example."""
    from workorders.platform.services.definitions import create_draft, current_version

    with world.app.app_context():
        published = current_version(world.a.tenant_id)
        assert published is not None
        draft = create_draft(world.a.tenant_id, published.source_text, world.a.emails["admin"])
        return draft.number


def test_every_panel_renders_as_a_fragment_with_labels(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    for name in PANELS:
        resp = admin.get(f"/admin/definitions/1/panels/{name}")
        assert resp.status_code == 200, (name, resp.get_data(as_text=True)[:500])
        html = resp.get_data(as_text=True)
        assert "<html" not in html and "<body" not in html, name
        assert " style=" not in html and "<script" not in html, name
    lifecycle = admin.get("/admin/definitions/1/panels/lifecycle").get_data(as_text=True)
    assert "<svg" in lifecycle and "Heat pump installation" in lifecycle
    assert "node-current" not in lifecycle  # a definition has no "now"
    assert "<strong>Start</strong>: from Scheduled to In progress, by technicians" in lifecycle
    assert "Ready for invoicing" in lifecycle and "owned by the coordinators" in lifecycle
    rules = admin.get("/admin/definitions/1/panels/rules").get_data(as_text=True)
    assert "When “Leak test passed” is no, on a final “Commissioning protocol”" in rules
    assert "“failed leak test raises a critical exception” (expects it to fire)" in rules
    assert "No golden test covers this rule yet." in rules
    forms = admin.get("/admin/definitions/1/panels/forms").get_data(as_text=True)
    assert 'src="/admin/definitions/1/forms/installation_report/preview"' in forms
    assert 'class="phone-frame"' in forms


def test_the_tests_panel_and_api_show_expected_actual_and_traces(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    html = admin.get("/admin/definitions/1/panels/tests").get_data(as_text=True)
    assert f"All {golden_test_count()} golden tests pass." in html
    assert "Total hours 17 is more than 16" in html
    body = world.api("admin").get("/api/v1/definitions/1/tests").json
    assert body["tests_passed"] is True and body["total"] == golden_test_count()
    first = body["tests"][0]
    assert first["expected"]["fired"] == ["overtime_needs_approval", "missing_signature"]
    assert first["actual"]["approvals"] == ["role:coordinator"]
    overtime = next(t for t in first["traces"] if t["rule"] == "overtime_needs_approval")
    assert overtime["fired"] is True
    assert overtime["trace"][0]["text"] == "Total hours 17 is more than 16"
    not_fired = next(t for t in first["traces"] if t["rule"] == "expensive_material")
    assert not_fired["fired"] is False and not_fired["trace"][0]["result"] is False


def test_a_failing_golden_test_shows_what_was_expected_and_what_happened(world: World) -> None:
    from workorders.platform.services.definitions import create_draft

    publish_example(world)
    source = (_example_text().replace("fired: [leak_test_failed]",
                                      "fired: [leak_test_failed, bulk_material_line]"))
    with world.app.app_context():
        number = create_draft(world.a.tenant_id, source, world.a.emails["admin"]).number
    body = world.api("admin").get(f"/api/v1/definitions/{number}/tests").json
    assert body["tests_passed"] is False and body["failed"] == 1
    failed = next(t for t in body["tests"] if not t["passed"])
    assert failed["expected"]["fired"] == ["leak_test_failed", "bulk_material_line"]
    assert "bulk_material_line" not in failed["actual"]["fired"]
    bulk = next(t for t in failed["traces"] if t["rule"] == "bulk_material_line")
    assert bulk["fired"] is False
    html = login(world, "admin").get(f"/admin/definitions/{number}/panels/tests")
    text = html.get_data(as_text=True)
    assert f"1 of {golden_test_count()} golden tests fail." in text
    assert "Fails</span>: failed leak test" in text


def _example_text() -> str:
    from tests.support.cases import ROOT

    return (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")


def test_rules_and_vocabulary_api_answer_what_the_panels_show(world: World) -> None:
    publish_example(world)
    api = world.api("admin")
    rules = api.get("/api/v1/definitions/1/rules").json["rules"]
    leak = next(r for r in rules if r["id"] == "leak_test_failed")
    assert leak["sentence"].startswith("When “Leak test passed” is no")
    assert leak["tests"] == [{"name": "failed leak test raises a critical exception",
                              "expects": "fires"}]
    words = api.get("/api/v1/definitions/1/vocabulary").json
    labels = {i["label"] for i in words["facts"]}
    assert {"totals.hours", "form.leak_test_passed", "case.status"} <= labels
    page = login(world, "admin").get("/admin/definitions/1/vocabulary.json").json
    assert page == words


def test_the_connectors_panel_renders_a_sample_without_sending(world: World) -> None:
    publish_example(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    html = admin.get("/admin/definitions/1/panels/connectors")
    text = html.get_data(as_text=True)
    assert "fortnox" in text and "made-up case" in text
    assert "The payload passes the format" in text and "CustomerNumber" in text
    assert snapshot(world.app) == before


def test_a_small_simulation_runs_now_and_lists_the_changed_cases(world: World) -> None:
    publish_example(world)
    book(world)
    number = _draft_from_published(world)
    admin = login(world, "admin")
    resp = admin.post(f"/admin/definitions/{number}/simulate", data={"limit": "50"})
    assert resp.status_code == 302
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "1 case checked; none would come out differently" in page
    fragment = admin.post(f"/admin/definitions/{number}/simulate?fragment=1",
                          data={"limit": "5"}).get_data(as_text=True)
    assert "<html" not in fragment and "1 case checked" in fragment


def test_a_large_simulation_runs_in_the_background_with_progress(world: World) -> None:
    publish_example(world)
    book(world)
    admin = login(world, "admin")
    resp = admin.post("/admin/definitions/1/simulate", data={"limit": "500"})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "/admin/definitions/1/simulations/" in location
    page = admin.get(location).get_data(as_text=True)
    # jobs run in-process in tests, so the task is done by the time it is read
    assert 'data-status="done"' in page and "1 case checked" in page
    assert world.api("admin").get("/api/v1/tasks/" + location.rsplit("/", 1)[1]).json[
        "status"] == "done"


@pytest.mark.parametrize("limit", ["0", "abc", "5000", ""])
def test_a_bad_simulation_size_is_refused_with_a_sentence(world: World, limit: str) -> None:
    publish_example(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = admin.post("/admin/definitions/1/simulate", data={"limit": limit})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert ("Choose between 1 and 2000 cases." in text
            or "Say how many recent cases to check." in text
            or "Not a valid integer value." in text), text[-2000:]
    assert snapshot(world.app) == before


def test_panels_are_for_admins_and_other_tenants_versions_are_missing(world: World) -> None:
    publish_example(world)
    publish_example(world, tenant="b")
    for role in ("coordinator", "technician", "viewer"):
        client = login(world, role)
        assert client.get("/admin/definitions/1/panels/rules").status_code == 403
        assert client.get("/admin/definitions/1/vocabulary.json").status_code == 403
        assert client.post("/admin/definitions/1/simulate", data={"limit": "5"}).status_code \
            == 403
        api = world.api(role)
        for path in ("rules", "vocabulary", "tests", "connectors/fortnox/sample"):
            assert api.get(f"/api/v1/definitions/1/{path}").status_code == 403, (role, path)
    admin = login(world, "admin")
    assert admin.get("/admin/definitions/2/panels/rules").status_code == 404
    assert admin.get("/admin/definitions/1/panels/nonsense").status_code == 404
    api = world.api("admin")
    for path in ("rules", "vocabulary", "tests", "connectors/fortnox/sample"):
        assert api.get(f"/api/v1/definitions/2/{path}").status_code == 404, path
    assert api.get("/api/v1/definitions/1/connectors/nope/sample").status_code == 404


def test_another_tenants_simulation_is_missing(world: World) -> None:
    publish_example(world)
    publish_example(world, tenant="b")
    book(world, tenant="b", assignee=world.b.emails["technician"])
    other = login(world, "admin", tenant="b").post("/admin/definitions/1/simulate",
                                                  data={"limit": "5"})
    task_path = other.headers["Location"]
    assert login(world, "admin").get(task_path).status_code == 404


def test_the_messages_panel_shows_who_each_state_tells_and_every_language(
        world: World) -> None:
    from tests.support.web import words_of

    publish_example(world)
    admin = login(world, "admin")
    page = words_of(admin.get("/admin/definitions/1/panels/messages"))
    assert ("Heat pump installation · Scheduled: the assigned technician gets “job_waiting” "
            "(by default; switch it off with on_enter: {state: off})") in page
    assert "Work done: every coordinator gets “needs_your_role”" in page
    assert "Booked:" not in page  # booking enters the first state: nobody is told
    # the demo's SMS in Swedish, with its length; the built-in one in both languages
    assert "technician_on_my_way (sms, status)" in page and "1 SMS (GSM-7)" in page
    assert "Hej Lena Berg! Åsa Lind från Nordvärme har åkt" in page
    assert "In sv" in page and "INST-2026-00042: ett jobb till dig" in page
    # a template is rendered over a case type that sends it: follow_up_needed reads a
    # field of the service forms, so it is a service case (it failed on an installation)
    html = admin.get("/admin/definitions/1/panels/messages").get_data(as_text=True)
    follow_up = html[html.index('data-template="follow_up_needed"'):]
    follow_up = follow_up[:follow_up.index("</section>")]
    assert "Over a made-up Heat pump service case." in follow_up
    assert "does not render" not in follow_up and "SERV-2026-00042" in follow_up
    assert login(world, "coordinator").get(
        "/admin/definitions/1/panels/messages").status_code == 403


def _with_a_swedish_text_that_fails() -> str:
    """The example with technician_on_my_way in English and a Swedish text that
    validates but cannot render over the made-up case (it has no site name)."""
    lines = _example_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(
        '      body: "Hej {{ case.customer.name }}! {{ case.assignee.name }} från'))
    lines[at:at + 1] = [
        '      body: "Hi {{ case.customer.name }}, your technician is on the way 🚐"\n',
        "      locales:\n",
        "        sv: {body: \"Hej {{ 10 // ((case.site.name or '')|length) }}\"}\n"]
    return "".join(lines)


def test_a_language_that_fails_is_named_in_the_messages_panel_the_others_render(
        world: World) -> None:
    from workorders.platform.services.definitions import create_draft

    publish_example(world)
    with world.app.app_context():
        number = create_draft(world.a.tenant_id, _with_a_swedish_text_that_fails(),
                              world.a.emails["admin"]).number
    html = login(world, "admin").get(f"/admin/definitions/{number}/panels/messages")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    block = text[text.index('data-template="technician_on_my_way"'):]
    block = block[:block.index("</section>")]
    assert "Hi Lena Berg, your technician is on the way 🚐" in block
    assert "45 characters, 1 SMS (UCS-2)" in block  # the emoji is not GSM-7
    assert "In sv · does not render" in block
    assert "This text could not be rendered: " in block


def test_the_notification_preview_api_renders_each_language_or_one_reader(
        world: World) -> None:
    from workorders.platform.services.definitions import create_draft

    publish_example(world)
    with world.app.app_context():
        number = create_draft(world.a.tenant_id, _with_a_swedish_text_that_fails(),
                              world.a.emails["admin"]).number
    api = world.api("admin")
    path = f"/api/v1/definitions/{number}/notification-templates"
    body = api.get(f"{path}/technician_on_my_way/preview").json
    assert (body["version"], body["channel"], body["kind"], body["case_type"]) == (
        number, "sms", "status", "installation")
    own, swedish = body["texts"]
    assert own["language"] == "" and own["problem"] is None
    assert own["sms"] == {"characters": 45, "encoding": "UCS-2", "segments": 1}
    assert swedish["language"] == "sv" and swedish["body"] == "" and swedish["problem"]
    built_in = api.get(f"{path}/job_waiting/preview",
                       query_string={"locale": "sv-SE", "case_type": "service"}).json
    assert [t["language"] for t in built_in["texts"]] == ["sv"] and built_in["note"] is None
    assert built_in["texts"][0]["subject"].startswith("SERV-2026-00042: ett jobb till dig")
    finnish = api.get(f"{path}/job_waiting/preview", query_string={"locale": "fi"}).json
    assert finnish["note"] == ("'job_waiting' has no text in fi: a reader of fi gets the "
                               "template’s own text.")
    assert "html" not in own  # a text message has no HTML part
    email = api.get(f"{path}/job_waiting/preview").json["texts"][0]
    assert email["html"].startswith("<p>") and "&lt;case link&gt;" in email["html"]
    missing = api.get(f"{path}/nope/preview")
    assert missing.status_code == 404 and "job_waiting" in missing.json["detail"]
    no_type = api.get(f"{path}/job_waiting/preview", query_string={"case_type": "boat"})
    assert no_type.status_code == 404 and "installation, service" in no_type.json["detail"]
    assert world.api("coordinator").get(f"{path}/job_waiting/preview").status_code == 403
