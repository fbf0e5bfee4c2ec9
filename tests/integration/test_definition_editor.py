"""The definition editor page and its two JSON endpoints (live check, autosave),
on both databases: checks name their lines and store nothing; a save names the
revision it changes, so a stale one is a 412 and a missing one a 428, and
nothing is overwritten; the page works as a plain form without JavaScript; only
admins reach it, and another tenant's version is a 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_capture_pages import login
from tests.support.cases import golden_test_count, publish_example
from tests.support.state import snapshot
from tests.support.world import PASSWORD, World

BROKEN_LINE = 4
BROKEN = """format: workorders/v1
name: Broken on purpose
currency: SEK
case_types: {not: a list}
"""


def _draft(world: World, tenant: str = "a") -> int:
    """A draft started from the published example, as the versions page does."""
    from workorders.platform.services.definition_drafts import start_draft

    publish_example(world, tenant=tenant)
    cast = world.a if tenant == "a" else world.b
    with world.app.app_context():
        return start_draft(cast.tenant_id, cast.emails["admin"], from_version=1).number


def _stored(world: World, number: int, tenant: str = "a") -> tuple[str, int, str | None]:
    from workorders.platform.services.definitions import get_version

    cast = world.a if tenant == "a" else world.b
    with world.app.app_context():
        version = get_version(cast.tenant_id, number)
        return version.source_text, version.revision, version.working_text


def _text(world: World, number: int) -> str:
    return _stored(world, number)[0]


def _with_field(text: str) -> str:
    """The example with one more field on the installation report (still valid)."""
    anchor = ("          - {id: installed_heat_pump, type: boolean, "
              "label: A heat pump was installed}\n")
    assert anchor in text
    return text.replace(anchor, anchor + "          - {id: roof_access, type: boolean, "
                                         "label: Roof access needed}\n")


def _save(client: FlaskClient, number: int, text: str, etag: str | None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(f"/admin/definitions/{number}/save", json={"text": text}, headers=headers)


def test_the_page_shows_the_draft_text_its_revision_and_its_checks(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    resp = admin.get(f"/admin/definitions/{number}/edit")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'name="text"' in page and "Nordvärme service" in page
    assert 'name="revision" type="hidden" value="1"' in page
    assert 'data-etag="&#34;r1&#34;"' in page
    tests = golden_test_count()
    assert "It validates" in page and f"Golden tests: {tests} of {tests} pass." in page
    assert "Started from version 1" in page
    assert "vendor/codemirror/codemirror.js" in page and "js/editor.js" in page
    assert 'value="check"' in page and 'value="save"' in page  # the no-JS buttons


def test_the_see_it_panels_are_on_the_page_without_javascript(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    page = admin.get(f"/admin/definitions/{number}/edit").get_data(as_text=True)
    for name in ("lifecycle", "forms", "rules", "connectors", "tests", "simulate"):
        assert f'data-testid="panel-{name}"' in page
        assert f'data-panel-url="/admin/definitions/{number}/panels/{name}"' in page
    assert 'data-state="in_progress"' in page  # the lifecycle diagram
    assert f"/admin/definitions/{number}/forms/installation_report/preview" in page
    assert 'data-rule="overtime_needs_approval"' in page
    assert f"All {golden_test_count()} golden tests pass." in page
    assert f'data-vocabulary-url="/admin/definitions/{number}/vocabulary.json"' in page
    assert 'data-testid="panels-note" hidden' in page

    # text with errors is saved as working text; the panels keep the last valid version
    admin.post(f"/admin/definitions/{number}/save",
               data={"text": BROKEN, "revision": "1", "action": "save"})
    page = admin.get(f"/admin/definitions/{number}/edit").get_data(as_text=True)
    assert "Broken on purpose" in page and 'data-state="in_progress"' in page
    assert 'data-rule="overtime_needs_approval"' in page
    assert "the panels show the last version that validated" in page


def test_the_live_check_names_lines_and_stores_nothing(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    bad = admin.post("/admin/definitions/check", json={"text": BROKEN})
    assert bad.status_code == 200
    body = bad.get_json()
    assert body["valid"] is False and body["tests"] == []
    assert any(e["line"] == BROKEN_LINE and e["path"] == "/case_types" for e in body["errors"])
    good = admin.post("/admin/definitions/check", json={"text": _with_field(_text(world, number))})
    assert good.get_json()["valid"] is True and good.get_json()["errors"] == []
    assert good.get_json()["tests_passed"] is True
    assert len(good.get_json()["tests"]) == golden_test_count()
    assert snapshot(world.app) == before


def test_markup_in_the_text_stays_text_on_the_page(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    evil = "format: workorders/v1\n'</script><img src=x onerror=alert(1)>': 1\n"
    page = admin.post(f"/admin/definitions/{number}/save",
                      data={"text": evil, "revision": "1", "action": "check"}
                      ).get_data(as_text=True)
    assert "unknown key" in page
    assert "<img src=x" not in page and "</script><img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the textarea and the problem list
    assert "\\u003cimg src=x" in page  # the check handed to the script, as JSON


def test_the_live_check_answers_what_the_api_validate_answers(world: World) -> None:
    admin = login(world, "admin")
    api = world.api("admin").post("/api/v1/definitions/validate", data=BROKEN,
                                  headers={"Content-Type": "application/yaml"}).get_json()
    page = admin.post("/admin/definitions/check", json={"text": BROKEN}).get_json()
    assert page["errors"] == api["errors"] and page["warnings"] == api["warnings"]


def test_autosave_moves_the_etag_and_a_stale_one_is_refused_with_412(world: World) -> None:
    number = _draft(world)
    mine, theirs = login(world, "admin"), login(world, "admin")
    original = _text(world, number)
    first = _save(mine, number, _with_field(original), '"r1"')
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["ETag"] == '"r2"'
    assert first.get_json() | {"errors": [], "warnings": []} == {
        "version": number, "revision": 2, "valid": True, "errors": [], "warnings": []}
    assert "roof_access" in _text(world, number)

    before = snapshot(world.app)
    stale = _save(theirs, number, original + "\n# their edit\n", '"r1"')
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert "Another admin saved this draft" in stale.get_json()["detail"]
    assert snapshot(world.app) == before
    assert "roof_access" in _text(world, number)

    broken = _save(mine, number, BROKEN, first.headers["ETag"])
    assert broken.status_code == 200 and broken.headers["ETag"] == '"r3"'
    assert broken.get_json()["valid"] is False
    assert broken.get_json()["errors"][0]["line"] == BROKEN_LINE
    source, revision, working = _stored(world, number)
    assert (revision, working) == (3, BROKEN) and "roof_access" in source  # last valid kept


def test_a_save_without_if_match_is_a_428_and_changes_nothing(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = _save(admin, number, _with_field(_text(world, number)), None)
    assert resp.status_code == 428 and resp.mimetype == "application/problem+json"
    assert "If-Match" in resp.get_json()["detail"]
    assert snapshot(world.app) == before


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b'["text"]', "application/json", 422),
    (b'{"text": 42}', "application/json", 422),
    (b'{"txt": "format: workorders/v1"}', "application/json", 422),
    (b'{"text": "a\\u0000b"}', "application/json", 422),
    (b'{"text": ', "application/json", 400),
    (b"text=hello", "text/plain", 415),
])
def test_bad_bodies_get_a_clear_problem_and_change_nothing(world: World, body: bytes,
                                                           content_type: str, status: int) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    check = admin.post("/admin/definitions/check", data=body, content_type=content_type)
    assert check.status_code == status, check.get_data(as_text=True)
    assert check.mimetype == "application/problem+json" and check.get_json()["detail"]
    if content_type == "application/json":
        save = admin.post(f"/admin/definitions/{number}/save", data=body,
                          content_type=content_type, headers={"If-Match": '"r1"'})
        assert save.status_code == status and save.mimetype == "application/problem+json"
    assert snapshot(world.app) == before


def test_oversized_text_gets_the_validators_sentence_or_a_413(world: World) -> None:
    from workorders.definitions import MAX_BUNDLE_BYTES

    number = _draft(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    big = "# " + "x" * (MAX_BUNDLE_BYTES + 10) + "\n"
    checked = admin.post("/admin/definitions/check", json={"text": big})
    assert checked.status_code == 200 and checked.get_json()["valid"] is False
    assert "the limit is 2097152 bytes (2 MiB)" in checked.get_json()["errors"][0]["message"]
    refused = _save(admin, number, big, '"r1"')
    assert refused.status_code == 422 and "nothing was saved" in refused.get_json()["detail"]
    huge = admin.post("/admin/definitions/check", json={"text": big * 3})
    assert huge.status_code == 413 and huge.mimetype == "application/problem+json"
    assert snapshot(world.app) == before


def test_without_javascript_check_lists_problems_and_keeps_the_typed_text(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    before = snapshot(world.app)
    resp = admin.post(f"/admin/definitions/{number}/save",
                      data={"text": BROKEN, "revision": "1", "action": "check"})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Checked. Nothing is saved until you press Save." in page
    assert f"Line {BROKEN_LINE}</span>:" in page and "Broken on purpose" in page
    assert 'name="revision" type="hidden" value="1"' in page
    assert snapshot(world.app) == before


def test_without_javascript_save_stores_and_a_stale_save_keeps_the_text(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    edited = _with_field(_text(world, number))
    saved = admin.post(f"/admin/definitions/{number}/save",
                       data={"text": edited, "revision": "1", "action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/{number}/edit")
    page = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Saved as revision 2. It validates." in page
    assert 'name="revision" type="hidden" value="2"' in page
    assert _stored(world, number)[:2] == (edited, 2)

    before = snapshot(world.app)
    stale = admin.post(f"/admin/definitions/{number}/save",
                       data={"text": edited + "# typed on an old page\n", "revision": "1",
                             "action": "save"})
    assert stale.status_code == 412
    page = stale.get_data(as_text=True)
    assert "Another admin saved this draft while you were editing" in page
    assert "# typed on an old page" in page  # the typed text is still in the textarea
    assert 'data-testid="stale-banner" hidden' not in page
    assert snapshot(world.app) == before

    missing = admin.post(f"/admin/definitions/{number}/save",
                         data={"text": edited + "# no revision\n", "action": "save"})
    assert missing.status_code == 428 and "# no revision" in missing.get_data(as_text=True)
    assert snapshot(world.app) == before


def test_without_javascript_invalid_text_is_saved_as_unsaved_errors(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    resp = admin.post(f"/admin/definitions/{number}/save",
                      data={"text": BROKEN, "revision": "1", "action": "save"},
                      follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert re.search(r"Saved as revision 2, with \d+ error\(s\) to fix before it can be "
                     r"published; the panels show the last version that validated", page)
    assert "Broken on purpose" in page  # the editor shows the working text
    assert f"Line {BROKEN_LINE}" in page
    assert 'data-testid="panels-note" hidden' not in page


def test_a_published_version_is_not_edited_but_shown(world: World) -> None:
    number = _draft(world)
    admin = login(world, "admin")
    resp = admin.get("/admin/definitions/1/edit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/definitions/1")
    refused = _save(admin, 1, "format: workorders/v1\n", '"r1"')
    assert refused.status_code == 409 and "only a draft" in refused.get_json()["detail"]
    before = snapshot(world.app)
    for action in ("check", "save"):
        page = admin.post("/admin/definitions/1/save", data={
            "text": "# typed while it was published\n", "revision": "1", "action": action})
        assert page.status_code == 409
        html = page.get_data(as_text=True)
        assert "version 1 is published now, and only a draft can be changed" in html
        assert "# typed while it was published" in html
    assert snapshot(world.app) == before
    assert admin.get(f"/admin/definitions/{number}/edit").status_code == 200


def test_only_admins_reach_the_editor(world: World) -> None:
    number = _draft(world)
    clients = {role: login(world, role) for role in ("coordinator", "technician", "viewer")}
    before = snapshot(world.app)
    for client in clients.values():
        assert client.get(f"/admin/definitions/{number}/edit").status_code == 403
        assert client.post("/admin/definitions/check", json={"text": BROKEN}).status_code == 403
        assert _save(client, number, BROKEN, '"r1"').status_code == 403
        assert client.post(f"/admin/definitions/{number}/save",
                           data={"text": BROKEN, "revision": "1", "action": "save"}
                           ).status_code == 403
    assert snapshot(world.app) == before


def test_another_tenants_draft_is_not_found(world: World) -> None:
    theirs = _draft(world, tenant="b")
    admin = login(world, "admin")
    before = snapshot(world.app)
    assert admin.get(f"/admin/definitions/{theirs}/edit").status_code == 404
    assert _save(admin, theirs, BROKEN, '"r1"').status_code == 404
    assert admin.post(f"/admin/definitions/{theirs}/save",
                      data={"text": BROKEN, "revision": "1", "action": "save"}).status_code == 404
    assert snapshot(world.app) == before


@pytest.fixture
def csrf_app(app_config: dict[str, Any]) -> Flask:
    from workorders.platform import create_app

    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def test_checks_and_saves_need_the_pages_csrf_token(csrf_app: Flask, world: World) -> None:
    world.app = csrf_app
    number = _draft(world)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/login", data={"email": world.a.emails["admin"], "password": PASSWORD,
                                       "csrf_token": token.group(1)}).status_code == 302
    before = snapshot(csrf_app)
    assert client.post("/admin/definitions/check", json={"text": BROKEN}).status_code == 400
    assert _save(client, number, BROKEN, '"r1"').status_code == 400
    assert client.post(f"/admin/definitions/{number}/save",
                       data={"text": BROKEN, "revision": "1", "action": "save"}
                       ).status_code == 400
    assert snapshot(csrf_app) == before
    edit = client.get(f"/admin/definitions/{number}/edit").get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit)
    assert found is not None
    ok = client.post("/admin/definitions/check", json={"text": BROKEN},
                     headers={"X-CSRFToken": found.group(1)})
    assert ok.status_code == 200 and ok.get_json()["valid"] is False
    saved = client.post(f"/admin/definitions/{number}/save", json={"text": BROKEN},
                        headers={"X-CSRFToken": found.group(1), "If-Match": '"r1"'})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"r2"'
