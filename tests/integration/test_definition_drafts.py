"""Editing a draft in place over the API: If-Match / ETag, unsaved text that does
not validate, starting drafts from versions and examples, and what is refused."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_api_errors import assert_problem
from tests.support.state import snapshot
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[2]
NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
YAML = {"Content-Type": "application/yaml"}
#: a change the golden tests do not mind
RENAMED = NORDVARME.replace("name: Nordvärme service", "name: Nordvärme Norr", 1)
#: a change that breaks validation at a known line
BROKEN = NORDVARME.replace("initial: booked", "initial: bookedd", 1)
BROKEN_LINE = NORDVARME.splitlines().index("      initial: booked") + 1


def _draft(world: World, text: str = NORDVARME) -> int:
    resp = world.api().post("/api/v1/definitions", data=text, headers=YAML)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return int(resp.json["version"])


def _put(world: World, n: int, text: str | bytes, etag: str | None, role: str = "admin",
         tenant: str = "a", content_type: str = "application/yaml") -> Any:
    headers = {"Content-Type": content_type}
    if etag is not None:
        headers["If-Match"] = etag
    return world.api(role, tenant).open(f"/api/v1/definitions/{n}", "PUT", data=text,
                                         headers=headers)


def _etag(world: World, n: int) -> str:
    resp = world.api().get(f"/api/v1/definitions/{n}")
    assert resp.status_code == 200
    return str(resp.headers["ETag"])


def _audit(app: Flask, tenant_id: int, number: int) -> list[tuple[str, Any, Any, Any]]:
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        rows = db.session.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.subject_type == "definition",
            AuditEvent.subject_id == number).order_by(AuditEvent.seq)).scalars().all()
        return [(r.action, r.actor, r.after, r.comment) for r in rows]


def test_a_save_with_the_fresh_etag_bumps_revision_and_etag(world: World) -> None:
    n = _draft(world)
    got = world.api().get(f"/api/v1/definitions/{n}")
    assert got.headers["ETag"] == '"r1"'
    assert got.json["revision"] == 1 and got.json["has_unsaved_errors"] is False
    resp = _put(world, n, RENAMED, '"r1"')
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.headers["ETag"] == '"r2"'
    assert resp.json["revision"] == 2 and resp.json["valid"] is True
    assert resp.json["name"] == "Nordvärme Norr" and resp.json["errors"] == []
    assert world.api().get(f"/api/v1/definitions/{n}?format=yaml").get_data(
        as_text=True) == RENAMED
    source = world.api().get(f"/api/v1/definitions/{n}/source")
    assert source.get_data(as_text=True) == RENAMED and source.headers["ETag"] == '"r2"'
    actions = [a for a, *_ in _audit(world.app, world.a.tenant_id, n)]
    assert actions == ["definition.draft_created", "definition.draft_saved"]


def test_the_same_text_again_changes_nothing(world: World) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    resp = _put(world, n, NORDVARME, '"r1"')
    assert resp.status_code == 200 and resp.json["saved"] is False
    assert resp.headers["ETag"] == '"r1"'
    assert snapshot(world.app) == before


@pytest.mark.parametrize("etag", ['"r7"', '"1"', "r1", '"r0"', "garbage"])
def test_a_stale_or_foreign_if_match_is_412_and_changes_nothing(world: World, etag: str) -> None:
    n = _draft(world)
    _put(world, n, RENAMED, '"r1"')  # now at r2
    before = snapshot(world.app)
    problem = assert_problem(_put(world, n, NORDVARME, etag), 412)
    assert "reload" in problem["detail"]
    assert snapshot(world.app) == before


@pytest.mark.parametrize("etag", ['W/"r2"', '"r9", "r2"', "*"])
def test_a_weak_listed_or_star_if_match_saves(world: World, etag: str) -> None:
    n = _draft(world)
    _put(world, n, RENAMED, '"r1"')  # now at r2
    resp = _put(world, n, NORDVARME, etag)
    assert resp.status_code == 200 and resp.headers["ETag"] == '"r3"'


def test_a_save_without_if_match_is_428_and_changes_nothing(world: World) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    problem = assert_problem(_put(world, n, RENAMED, None), 428)
    assert "If-Match" in problem["detail"]
    assert snapshot(world.app) == before


def test_two_admins_saving_one_revision_one_wins_the_other_gets_412(world: World) -> None:
    n = _draft(world)
    first = _put(world, n, RENAMED, '"r1"')
    second = _put(world, n, NORDVARME.replace("currency: SEK", "currency: NOK", 1), '"r1"')
    assert first.status_code == 200
    assert_problem(second, 412)
    assert world.api().get(f"/api/v1/definitions/{n}/source").get_data(as_text=True) == RENAMED


def test_racing_saves_with_one_etag_exactly_one_wins(world: World) -> None:
    n = _draft(world)
    texts = [NORDVARME.replace("name: Nordvärme service", f"name: Racer {i}", 1)
             for i in range(4)]
    answers: list[int] = []
    barrier = threading.Barrier(len(texts))

    def save(text: str) -> None:
        barrier.wait()
        answers.append(_put(world, n, text, '"r1"').status_code)

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == [200, 412, 412, 412]
    final = world.api().get(f"/api/v1/definitions/{n}")
    assert final.json["revision"] == 2 and final.json["name"].startswith("Racer ")


def test_invalid_text_is_kept_as_working_text_and_blocks_publishing(world: World) -> None:
    n = _draft(world)
    resp = _put(world, n, BROKEN, '"r1"')
    assert resp.status_code == 200 and resp.json["valid"] is False
    assert resp.json["has_unsaved_errors"] is True and resp.headers["ETag"] == '"r2"'
    assert any(e["line"] == BROKEN_LINE and e["path"].endswith("/lifecycle/initial")
               for e in resp.json["errors"])
    # the stored bundle is still the last valid text; the editor gets the typing back
    assert world.api().get(f"/api/v1/definitions/{n}?format=yaml").get_data(
        as_text=True) == NORDVARME
    assert world.api().get(f"/api/v1/definitions/{n}/source").get_data(as_text=True) == BROKEN
    listed = world.api().get("/api/v1/definitions").json["items"]
    assert listed[0]["has_unsaved_errors"] is True
    before = snapshot(world.app)
    problem = assert_problem(world.api().post(f"/api/v1/definitions/{n}/publish"), 409)
    assert problem["detail"].startswith(f"version {n} has unsaved changes that do not validate")
    assert snapshot(world.app) == before
    fixed = _put(world, n, RENAMED, '"r2"')
    assert fixed.json["valid"] is True and fixed.json["has_unsaved_errors"] is False
    assert world.api().post(f"/api/v1/definitions/{n}/publish").status_code == 200
    saved = [a for a in _audit(world.app, world.a.tenant_id, n)
             if a[0] == "definition.draft_saved"]
    assert [a[2]["valid"] for a in saved] == [False, True]


def test_a_published_version_cannot_be_saved(world: World) -> None:
    n = _draft(world)
    world.api().post(f"/api/v1/definitions/{n}/publish")
    before = snapshot(world.app)
    problem = assert_problem(_put(world, n, RENAMED, _etag(world, n)), 409)
    assert "only a draft can be changed" in problem["detail"]
    assert snapshot(world.app) == before


def test_another_tenants_version_is_404_and_non_admins_403(world: World) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    assert_problem(_put(world, n, RENAMED, '"r1"', tenant="b"), 404)
    assert_problem(world.api("admin", "b").get(f"/api/v1/definitions/{n}/source"), 404)
    assert_problem(world.api("admin", "b").post(f"/api/v1/definitions/{n}/drafts"), 404)
    for role in ("coordinator", "technician", "viewer"):
        assert_problem(_put(world, n, RENAMED, '"r1"', role=role), 403)
        assert_problem(world.api(role).post(f"/api/v1/definitions/{n}/drafts"), 403)
        assert_problem(world.api(role).post(
            "/api/v1/definitions/examples/nordvarme-heatpumps/drafts"), 403)
    assert snapshot(world.app) == before


@pytest.mark.parametrize(("body", "content_type", "status", "words"), [
    (NORDVARME, "text/plain", 415, "application/yaml"),
    (NORDVARME.replace("name:", "na\x00me:", 1), "application/yaml", 422, "NUL character"),
    (b"format: workorders/v1\nname: \xff\xfe\n", "application/yaml", 422, "not UTF-8"),
    ("#" + "x" * (3 * 1024 * 1024), "application/yaml", 422, "at most 2 MiB"),
    ("#" + "x" * (5 * 1024 * 1024), "application/yaml", 413, ""),
])
def test_bad_bodies_are_refused_clearly_and_change_nothing(
        world: World, body: str | bytes, content_type: str, status: int, words: str) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    problem = assert_problem(_put(world, n, body, '"r1"', content_type=content_type), status)
    assert words in problem["detail"]
    assert snapshot(world.app) == before


def test_json_text_is_saved_as_json(world: World) -> None:
    import json

    from workorders.definitions import load_bundle

    n = _draft(world)
    as_json = json.dumps(load_bundle(RENAMED).normalized, ensure_ascii=False)
    resp = _put(world, n, as_json, '"r1"', content_type="application/json")
    assert resp.status_code == 200 and resp.json["valid"] is True
    assert world.api().get(f"/api/v1/definitions/{n}/source").get_data(as_text=True) == as_json


def test_a_draft_starts_from_the_published_or_an_older_version(world: World) -> None:
    one = _draft(world)
    world.api().post(f"/api/v1/definitions/{one}/publish")
    two = _draft(world, RENAMED)
    world.api().post(f"/api/v1/definitions/{two}/publish")
    from_published = world.api().post(f"/api/v1/definitions/{two}/drafts")
    assert from_published.status_code == 201
    assert from_published.json["based_on"] == f"version {two}"
    assert from_published.json["status"] == "draft" and from_published.json["revision"] == 1
    assert from_published.headers["ETag"] == '"r1"'
    three = from_published.json["version"]
    assert world.api().get(f"/api/v1/definitions/{three}/source").get_data(
        as_text=True) == RENAMED
    older = world.api().post(f"/api/v1/definitions/{one}/drafts").json
    assert older["based_on"] == f"version {one}"
    assert world.api().get(f"/api/v1/definitions/{older['version']}?format=yaml").get_data(
        as_text=True) == NORDVARME
    created = _audit(world.app, world.a.tenant_id, three)
    assert created[0][0] == "definition.draft_created"
    assert created[0][1] == "admin@alpha.test" and created[0][2]["based_on"] == f"version {two}"


def test_a_draft_from_an_unsaved_draft_copies_its_stored_valid_text(world: World) -> None:
    n = _draft(world)
    _put(world, n, BROKEN, '"r1"')
    copy = world.api().post(f"/api/v1/definitions/{n}/drafts").json
    assert copy["has_unsaved_errors"] is False
    assert world.api().get(f"/api/v1/definitions/{copy['version']}/source").get_data(
        as_text=True) == NORDVARME


def test_examples_are_listed_and_a_draft_starts_from_one(world: World) -> None:
    examples = world.api("viewer").get("/api/v1/definitions/examples").json["items"]
    names = {e["name"]: e for e in examples}
    assert {"nordvarme-heatpumps", "voltfix-electric", "bytewise-it"} <= set(names)
    assert names["voltfix-electric"]["title"] == "VoltFix call-outs"
    assert names["voltfix-electric"]["filename"] == "voltfix-electric.yaml"
    assert "Oslo" in names["voltfix-electric"]["summary"]
    resp = world.api().post("/api/v1/definitions/examples/voltfix-electric/drafts")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.json["based_on"] == "example voltfix-electric.yaml"
    assert resp.json["name"] == "VoltFix call-outs" and resp.json["has_unsaved_errors"] is False
    text = world.api().get(f"/api/v1/definitions/{resp.json['version']}/source").get_data(
        as_text=True)
    assert text.startswith("# Demo edition of definitions/voltfix-electric.yaml")
    assert "type: http" not in text  # the demo edition delivers nothing off this machine


@pytest.mark.parametrize("name", ["no-such-example", "pyproject", "Nordvarme-Heatpumps",
                                  "nordvarme"])
def test_an_unknown_example_is_404_and_stores_nothing(world: World, name: str) -> None:
    before = snapshot(world.app)
    problem = assert_problem(world.api().post(f"/api/v1/definitions/examples/{name}/drafts"), 404)
    assert "example" in problem["detail"]
    assert snapshot(world.app) == before


def test_starting_a_draft_honours_idempotency_key(world: World) -> None:
    n = _draft(world)
    headers = {"Idempotency-Key": "copy-1"}
    first = world.api().post(f"/api/v1/definitions/{n}/drafts", headers=headers)
    again = world.api().post(f"/api/v1/definitions/{n}/drafts", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json["version"] == again.json["version"]
    assert len(world.api().get("/api/v1/definitions").json["items"]) == 2


def test_uploading_a_draft_honours_idempotency_key(world: World) -> None:
    headers = {**YAML, "Idempotency-Key": "upload-1"}
    first = world.api().post("/api/v1/definitions", data=NORDVARME, headers=headers)
    again = world.api().post("/api/v1/definitions", data=NORDVARME, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json["version"] == again.json["version"] == 1
    assert_problem(world.api().post("/api/v1/definitions", data=RENAMED, headers=headers), 409)
    assert len(world.api().get("/api/v1/definitions").json["items"]) == 1


def test_a_version_that_no_longer_validates_gives_a_draft_to_fix(world: World) -> None:
    """The validator may learn checks a stored version fails: the copy keeps the
    version's bundle as its stored one and its text as unsaved text to fix."""
    from sqlalchemy import update

    from workorders.platform.extensions import db
    from workorders.platform.models import DefinitionVersion

    n = _draft(world)
    with world.app.app_context():  # as if stored before a check existed
        db.session.execute(update(DefinitionVersion).where(
            DefinitionVersion.tenant_id == world.a.tenant_id,
            DefinitionVersion.number == n).values(source_text=BROKEN))
        db.session.commit()
    copy = world.api().post(f"/api/v1/definitions/{n}/drafts")
    assert copy.status_code == 201 and copy.json["has_unsaved_errors"] is True
    assert world.api().get(f"/api/v1/definitions/{copy.json['version']}/source").get_data(
        as_text=True) == BROKEN
