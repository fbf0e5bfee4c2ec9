"""Retiring versions, publishing with a comment, and the publish summary an admin
confirms first (what changes, golden tests, open cases left on the old version)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_definition_drafts import (
    BROKEN,
    NORDVARME,
    RENAMED,
    YAML,
    _audit,
    _draft,
    _put,
)
from tests.support.cases import book
from tests.support.state import snapshot
from tests.support.world import World

#: a form field added and a rule's threshold moved: what a summary must say
CHANGED = NORDVARME.replace(
    "          - {id: photos, type: photos,",
    "          - {id: ladder_used, type: boolean, label: A ladder was used}\n"
    "          - {id: photos, type: photos,", 1).replace("value: 16}", "value: 15}", 1)


def _publish(world: World, n: int, body: Any = None) -> Any:
    return world.api().post(f"/api/v1/definitions/{n}/publish", json=body)


def test_publishing_keeps_the_comment_and_audits_it(world: World) -> None:
    n = _draft(world)
    resp = _publish(world, n, {"comment": "  First version for the spring season  "})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json["publish_comment"] == "First version for the spring season"
    events = _audit(world.app, world.a.tenant_id, n)
    assert [e[0] for e in events] == ["definition.draft_created", "definition.published"]
    _action, actor, after, comment = events[1]
    assert actor == "admin@alpha.test" and comment == "First version for the spring season"
    assert after["comment"] == comment and after["replaces"] is None


def test_publishing_without_a_body_still_works(world: World) -> None:
    n = _draft(world)
    resp = world.api().post(f"/api/v1/definitions/{n}/publish")
    assert resp.status_code == 200 and resp.json["publish_comment"] is None


def test_publishing_v2_audits_v1_as_retired_by_it(world: World) -> None:
    one = _draft(world)
    _publish(world, one, {"comment": "v1"})
    two = _draft(world, RENAMED)
    _publish(world, two, {"comment": "v2"})
    events = _audit(world.app, world.a.tenant_id, one)
    assert events[-1][0] == "definition.retired" and events[-1][2]["replaced_by"] == two
    assert _audit(world.app, world.a.tenant_id, two)[-1][2]["replaces"] == one


@pytest.mark.parametrize(("body", "status"), [
    ({"comment": "x" * 2001}, 422),
    ({"comment": 5}, 422),
    ({"reason": "typo"}, 422),
    ("not an object", 400),
])
def test_a_bad_publish_body_is_refused_and_publishes_nothing(
        world: World, body: Any, status: int) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    assert_problem(_publish(world, n, body), status)
    assert snapshot(world.app) == before


def test_a_nul_in_the_comment_is_refused(world: World) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    resp = world.api().post(f"/api/v1/definitions/{n}/publish",
                            data='{"comment": "bad \\u0000 comment"}',
                            headers={"Content-Type": "application/json"})
    assert resp.status_code in (400, 422)
    assert snapshot(world.app) == before


def test_an_unused_draft_is_retired_and_audited(world: World) -> None:
    n = _draft(world)
    resp = world.api().post(f"/api/v1/definitions/{n}/retire")
    assert resp.status_code == 200 and resp.json["status"] == "retired"
    assert resp.json["retired_at"]
    assert _audit(world.app, world.a.tenant_id, n)[-1][:2] == ("definition.retired",
                                                               "admin@alpha.test")
    before = snapshot(world.app)
    problem = assert_problem(world.api().post(f"/api/v1/definitions/{n}/retire"), 409)
    assert problem["detail"] == f"version {n} is already retired"
    assert_problem(_publish(world, n), 409)
    assert_problem(_put(world, n, RENAMED, '"r1"'), 409)
    assert snapshot(world.app) == before


def test_the_published_version_is_not_retired(world: World) -> None:
    n = _draft(world)
    _publish(world, n)
    before = snapshot(world.app)
    problem = assert_problem(world.api().post(f"/api/v1/definitions/{n}/retire"), 409)
    assert "is the published version" in problem["detail"]
    assert snapshot(world.app) == before


def test_a_version_cases_use_is_not_retired(world: World) -> None:
    one = _draft(world)
    _publish(world, one)
    book(world)
    book(world)
    _publish(world, _draft(world, RENAMED))  # version 1 is retired by publishing, in use
    before = snapshot(world.app)
    problem = assert_problem(world.api().post(f"/api/v1/definitions/{one}/retire"), 409)
    assert problem["detail"] == f"version {one} cannot be retired: 2 case(s) use it"
    assert snapshot(world.app) == before


def test_a_draft_a_case_was_moved_to_is_not_retired(world: World) -> None:
    from sqlalchemy import select, update

    from workorders.platform.extensions import db
    from workorders.platform.models import Case, DefinitionVersion

    _publish(world, _draft(world))
    case_id = book(world)["id"]
    draft = _draft(world, RENAMED)
    with world.app.app_context():  # as a migration of open cases would
        draft_id = db.session.execute(select(DefinitionVersion.id).where(
            DefinitionVersion.tenant_id == world.a.tenant_id,
            DefinitionVersion.number == draft)).scalar_one()
        db.session.execute(update(Case).where(Case.id == case_id).values(
            definition_version_id=draft_id))
        db.session.commit()
    problem = assert_problem(world.api().post(f"/api/v1/definitions/{draft}/retire"), 409)
    assert "1 case(s) use it" in problem["detail"]


def test_retiring_is_for_admins_of_the_tenant_only(world: World) -> None:
    n = _draft(world)
    before = snapshot(world.app)
    assert_problem(world.api("admin", "b").post(f"/api/v1/definitions/{n}/retire"), 404)
    assert_problem(world.api("admin", "b").get(f"/api/v1/definitions/{n}/publish-summary"), 404)
    for role in ("coordinator", "technician", "viewer"):
        assert_problem(world.api(role).post(f"/api/v1/definitions/{n}/retire"), 403)
        assert_problem(world.api(role).get(f"/api/v1/definitions/{n}/publish-summary"), 403)
    assert snapshot(world.app) == before


def test_the_publish_summary_says_what_changes_and_counts_open_cases(world: World) -> None:
    one = _draft(world)
    _publish(world, one)
    cases = [book(world) for _ in range(3)]
    cancelled = world.api("coordinator").post(f"/api/v1/cases/{cases[0]['id']}/transitions",
                                              json={"transition": "cancel",
                                                    "comment": "customer withdrew"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    two = _draft(world, CHANGED)
    before = snapshot(world.app)
    summary = world.api().get(f"/api/v1/definitions/{two}/publish-summary").json
    assert snapshot(world.app) == before  # reading a summary writes nothing
    assert summary["version"] == two and summary["published_version"] == one
    assert summary["valid"] is True and summary["errors"] == []
    assert "Form installation_report: field 'ladder_used' added" in summary["changes"]
    assert ("Rule overtime_needs_approval: 'when.value' changed from 16 to 15"
            in summary["changes"])
    assert len(summary["changes"]) == 2
    assert summary["diff"]["forms"]["changed"][0]["id"] == "installation_report"
    assert summary["tests_passed"] is True and len(summary["tests"]) >= 3
    assert summary["open_cases_on_published"] == 2  # the cancelled one is closed
    assert summary["open_cases_total"] == 2


def test_the_publish_summary_of_unsaved_invalid_text_says_it_is_invalid(world: World) -> None:
    n = _draft(world)
    _put(world, n, BROKEN, '"r1"')
    summary = world.api().get(f"/api/v1/definitions/{n}/publish-summary").json
    assert summary["valid"] is False and summary["tests_passed"] is False
    assert any(e["path"].endswith("/lifecycle/initial") for e in summary["errors"])
    assert summary["published_version"] is None
    assert summary["open_cases_on_published"] == 0 == summary["open_cases_total"]


def test_a_summary_shows_failing_golden_tests(world: World) -> None:
    failing = NORDVARME.replace("value: 16}", "value: 1000}", 1)
    n = int(world.api().post("/api/v1/definitions", data=failing, headers=YAML).json["version"])
    summary = world.api().get(f"/api/v1/definitions/{n}/publish-summary").json
    assert summary["valid"] is True and summary["tests_passed"] is False
    assert any(not t["passed"] for t in summary["tests"])


def test_cases_on_a_version_that_no_longer_validates_count_as_open(world: World) -> None:
    from sqlalchemy import update

    from workorders.platform.extensions import db
    from workorders.platform.models import DefinitionVersion

    one = _draft(world)
    _publish(world, one)
    book(world)
    two = _draft(world, RENAMED)
    with world.app.app_context():  # as if the validator learned a check version 1 fails
        db.session.execute(update(DefinitionVersion).where(
            DefinitionVersion.tenant_id == world.a.tenant_id,
            DefinitionVersion.number == one).values(source_text=BROKEN, content_hash="f" * 64))
        db.session.commit()
    summary = world.api().get(f"/api/v1/definitions/{two}/publish-summary")
    assert summary.status_code == 200, summary.get_data(as_text=True)
    assert summary.json["open_cases_on_published"] == 1 == summary.json["open_cases_total"]
