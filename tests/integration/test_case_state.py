"""What a request remembers of a case (services/case_state.py and the loaded-case
memo) never hides what that request, or another writer before its lock, wrote:
issue 17 made the write path read each case's outcomes and reports once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.support.capture import jpeg_bytes, report, started_case, upload
from tests.support.cases import book, publish_example
from tests.support.web import reads, statements
from tests.support.world import World


def _actor(world: World, role: str = "coordinator") -> Any:
    from workorders.platform.auth import actor_from_token

    return actor_from_token(world.a.tokens[role])


def test_outcomes_read_once_follow_the_sessions_own_writes(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import CaseException
    from workorders.platform.services.case_state import stored_outcomes

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        tenant = world.a.tenant_id
        with statements(world.app) as seen:
            first = stored_outcomes(tenant, case["id"])
            again = stored_outcomes(tenant, case["id"])
        # one statement says the case has no outcome of any kind: nothing else is read
        assert first is again and first.exceptions == [] and reads(seen) == 1
        added = CaseException(tenant_id=tenant, case_id=case["id"], rule_id="r", code="C",
                              severity="high", message="m", status="open", trigger="submit",
                              scope="case", trace=[], fingerprint="f")
        db.session.add(added)
        db.session.flush()
        assert stored_outcomes(tenant, case["id"]).exceptions == [added]  # joined, not re-read
        db.session.execute(update(CaseException).where(CaseException.id == added.id)
                           .values(status="resolved"))
        with statements(world.app) as seen:
            after_bulk = stored_outcomes(tenant, case["id"])
        assert reads(seen) == 2  # a bulk statement makes it read again: which kinds, exceptions
        db.session.refresh(after_bulk.exceptions[0])
        assert after_bulk.exceptions[0].status == "resolved"
        db.session.rollback()


def test_a_lock_forgets_what_was_read_of_the_case_before_it(world: World) -> None:
    """Read outside the lock, another writer opens an exception, then the lock is
    taken: what the locked work sees is read again, so it is not missed."""
    from workorders.platform.extensions import db
    from workorders.platform.models import CaseException
    from workorders.platform.services.case_context import load_case
    from workorders.platform.services.case_state import stored_outcomes

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        tenant, actor = world.a.tenant_id, _actor(world)
        load_case(actor, case["id"])
        assert stored_outcomes(tenant, case["id"]).exceptions == []
        with world.app.app_context():  # another session, committed
            db.session.add(CaseException(
                tenant_id=tenant, case_id=case["id"], rule_id="r", code="ELSEWHERE",
                severity="high", message="m", status="open", trigger="submit", scope="case",
                trace=[], fingerprint="f"))
            db.session.commit()
        if db.session.get_bind().dialect.name == "sqlite":
            db.session.commit()  # SQLite's writer takes the lock as a new transaction
        load_case(actor, case["id"], lock=True)
        assert [e.code for e in stored_outcomes(tenant, case["id"]).exceptions] == ["ELSEWHERE"]
        db.session.rollback()


def test_the_answer_to_a_submission_shows_what_its_rules_opened(world: World) -> None:
    """The case read by the API's check, then locked and changed by the rules, is
    answered from the same objects: the case page's API shows the new exception."""
    publish_example(world)
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    resp = world.api("technician").post(
        f"/api/v1/cases/{case['id']}/submissions",
        json={"form": "installation_report", "data": report(photo, hours="16")})
    assert resp.status_code == 201, resp.json
    opened = {e["code"] for e in resp.json["evaluation"]["exceptions_opened"]}
    assert opened
    shown = world.api("coordinator").get(f"/api/v1/cases/{case['id']}").json
    assert {e["code"] for e in shown["open_exceptions"]} >= opened
    assert shown["invoice"]["ready"] is False


def test_every_outcome_kind_has_its_step() -> None:
    """The rule runtime dispatches outcomes through one table keyed by the enum: a
    new kind of action without its step fails here, not on a customer's case."""
    from workorders.platform.services.rules_runtime import APPLY
    from workorders.rules.outcomes import OutcomeKind

    assert set(APPLY) == set(OutcomeKind)


def test_another_tenant_asking_for_the_same_case_id_sees_nothing_remembered(
        world: World) -> None:
    """What one tenant's read remembered of a case is never the answer to another
    tenant asking for that id in the same session (the memo is keyed by both)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import CaseException
    from workorders.platform.services.case_state import latest_finals, stored_outcomes

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        db.session.add(CaseException(
            tenant_id=world.a.tenant_id, case_id=case["id"], rule_id="r", code="MINE",
            severity="high", message="m", status="open", trigger="submit", scope="case",
            trace=[], fingerprint="f"))
        db.session.flush()
        assert [e.code for e in stored_outcomes(world.a.tenant_id, case["id"]).exceptions] \
            == ["MINE"]
        latest_finals(world.a.tenant_id, case["id"])
        foreign = stored_outcomes(world.b.tenant_id, case["id"])
        assert (foreign.exceptions, foreign.approvals, foreign.blocks) == ([], [], [])
        assert latest_finals(world.b.tenant_id, case["id"]) == {}
        db.session.rollback()


def test_one_read_of_a_forms_latest_revisions_answers_drafts_and_finals(world: World) -> None:
    """``latest_submissions`` reads each form's latest revision once: a form whose
    latest is a draft has no final report, and the final that follows replaces it in
    what the request remembers without another read."""
    from workorders.platform.core_insert import insert_now
    from workorders.platform.extensions import db
    from workorders.platform.models import Case, Submission
    from workorders.platform.services.case_state import (
        latest_finals,
        latest_submissions,
        note_inserted,
    )

    publish_example(world)
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    draft = world.api("technician").post(
        f"/api/v1/cases/{case['id']}/submissions",
        json={"form": "installation_report", "data": report(photo), "draft": True})
    assert draft.status_code == 201, draft.json
    with world.app.app_context():
        tenant = world.a.tenant_id
        with statements(world.app) as seen:
            heads = latest_submissions(tenant, case["id"])
            finals = latest_finals(tenant, case["id"])
        assert reads(seen) == 1
        assert heads["installation_report"].kind == "draft" and finals == {}
        stored = db.session.get(Case, case["id"])
        final = Submission(tenant_id=tenant, case_id=case["id"], form_id="installation_report",
                           definition_version_id=stored.definition_version_id,
                           revision=heads["installation_report"].revision + 1, kind="final",
                           data={}, warnings=[], author="t@example.test")
        insert_now(db.session(), final)
        note_inserted(db.session(), final)
        with statements(world.app) as seen:
            assert latest_finals(tenant, case["id"]) == {"installation_report": final}
        assert seen == []
        db.session.rollback()
