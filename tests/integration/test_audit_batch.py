"""A transaction's audit events are inserted together at commit, right before the
tenant's head moves (issue 17), yet a read inside the transaction still sees them,
and a rollback leaves neither events nor a moved head. On PostgreSQL the insert
rides on the statement that locks the head."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.cases import book, publish_example
from tests.support.web import statements
from tests.support.world import World


def _events(case_id: int) -> list[tuple[int, str]]:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    return [(e.seq, e.action) for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.subject_type == "case",
                                 AuditEvent.subject_id == case_id)
        .order_by(AuditEvent.seq)).scalars()]


def test_three_events_are_one_insert_and_the_chain_verifies(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_verify import verify_chains

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        with statements(world.app) as seen:
            for n in range(3):
                record_event(db.session(), tenant_id=world.a.tenant_id, subject_type="case",
                             subject_id=case["id"], actor="test", action=f"note:{n}")
            db.session.commit()
        inserts = [s for s in seen if "INSERT INTO AUDIT_EVENTS" in s.upper()]
        assert len(inserts) == 1, seen
        if db.engine.dialect.name == "postgresql":  # with the head's lock: one round trip
            assert "FOR UPDATE" in inserts[0] and not any(
                s.lstrip().startswith("SELECT audit_heads") for s in seen), seen
        assert _events(case["id"]) == [(1, "booked"), (2, "note:0"), (3, "note:1"),
                                       (4, "note:2")]
        checked, breaks = verify_chains(world.a.tenant_id)
        assert checked >= 4 and breaks == []


def test_a_read_inside_the_transaction_sees_its_events_and_a_rollback_keeps_none(
        world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditHead
    from workorders.platform.services.audit import record_event

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        head_before = db.session.execute(select(AuditHead.count).where(
            AuditHead.tenant_id == world.a.tenant_id)).scalar_one()
        record_event(db.session(), tenant_id=world.a.tenant_id, subject_type="case",
                     subject_id=case["id"], actor="test", action="note:seen")
        assert _events(case["id"])[-1] == (2, "note:seen")  # read in the same transaction
        db.session.rollback()
        assert _events(case["id"]) == [(1, "booked")]
        assert db.session.execute(select(AuditHead.count).where(
            AuditHead.tenant_id == world.a.tenant_id)).scalar_one() == head_before
        assert db.session.execute(select(func.count()).select_from(AuditHead)).scalar_one() >= 1


def test_one_statement_run_twice_sees_the_events_recorded_in_between(world: World) -> None:
    """Whether a statement reads audit events is worked out once per statement
    object; its second run still writes what was recorded since the first."""
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent
    from workorders.platform.services.audit import record_event

    publish_example(world)
    case = book(world)
    ids = select(AuditEvent.id).where(AuditEvent.tenant_id == world.a.tenant_id,
                                      AuditEvent.subject_type == "case",
                                      AuditEvent.subject_id == case["id"])
    with world.app.app_context():
        for n in range(2):
            record_event(db.session(), tenant_id=world.a.tenant_id, subject_type="case",
                         subject_id=case["id"], actor="test", action=f"note:{n}")
            assert len(db.session.execute(ids).all()) == 2 + n
        db.session.rollback()


def test_rows_written_at_commit_go_with_the_events_alone_or_not_at_all(world: World) -> None:
    """A row nothing reads back in its transaction (a rules run's record) is inserted
    at commit: on PostgreSQL in the statement that locks the audit head; with no
    audit event, on its own; after a rollback, never."""
    from workorders.platform.extensions import db
    from workorders.platform.models import RuleEvaluation
    from workorders.platform.models.types import utcnow
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_heads import insert_at_commit

    publish_example(world)
    case = book(world)
    table = RuleEvaluation.__table__

    def late(trigger: str) -> None:
        insert_at_commit(db.session(), table, {  # type: ignore[arg-type]
            "tenant_id": world.a.tenant_id, "case_id": case["id"], "submission_id": None,
            "trigger": trigger, "engine": "test", "result": {"fired": [trigger]},
            "created_at": utcnow()})

    with world.app.app_context():
        with statements(world.app) as seen:
            record_event(db.session(), tenant_id=world.a.tenant_id, subject_type="case",
                         subject_id=case["id"], actor="test", action="note:late")
            late("with-events")
            db.session.commit()
        writes = [s for s in seen if "INSERT INTO rule_evaluations" in s]
        assert len(writes) == 1, seen
        if db.engine.dialect.name == "postgresql":
            assert "INSERT INTO audit_events" in writes[0] and "FOR UPDATE" in writes[0]
        late("alone")
        db.session.commit()
        late("rolled back")
        db.session.rollback()
        db.session.commit()
        stored = db.session.execute(
            select(RuleEvaluation.trigger, RuleEvaluation.result)
            .where(RuleEvaluation.case_id == case["id"], RuleEvaluation.engine == "test")
            .order_by(RuleEvaluation.id)).all()
    assert [tuple(r) for r in stored] == [("with-events", {"fired": ["with-events"]}),
                                          ("alone", {"fired": ["alone"]})]


def test_many_rows_kept_for_the_commit_go_in_as_plain_inserts(world: World) -> None:
    """A bulk change (a rules run on many cases in one transaction) does not grow one
    statement with it: past a few rows, they and the events are plain inserts."""
    from workorders.platform.extensions import db
    from workorders.platform.models import RuleEvaluation
    from workorders.platform.models.types import utcnow
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_heads import insert_at_commit

    publish_example(world)
    case = book(world)
    with world.app.app_context():
        with statements(world.app) as seen:
            record_event(db.session(), tenant_id=world.a.tenant_id, subject_type="case",
                         subject_id=case["id"], actor="test", action="note:bulk")
            for n in range(20):
                insert_at_commit(db.session(), RuleEvaluation.__table__, {  # type: ignore[arg-type]
                    "tenant_id": world.a.tenant_id, "case_id": case["id"],
                    "submission_id": None, "trigger": f"bulk-{n}", "engine": "test",
                    "result": {}, "created_at": utcnow()})
            db.session.commit()
        assert not any("late_" in s for s in seen), seen
        assert db.session.execute(select(func.count()).select_from(RuleEvaluation).where(
            RuleEvaluation.case_id == case["id"], RuleEvaluation.engine == "test")
        ).scalar_one() == 20
        assert _events(case["id"])[-1] == (2, "note:bulk")
