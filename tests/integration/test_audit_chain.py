"""The audit trail's keyed hash chain and per-tenant head detect edits, re-hashing,
deletions and reordering (issue 11, item 6 for the key and the head)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from workorders.platform.services.audit import GENESIS


def _write_events(app: Flask) -> int:
    from workorders.platform.extensions import db
    from workorders.platform.services.accounts import create_tenant
    from workorders.platform.services.audit import record_event

    with app.app_context():
        tenant = create_tenant("acme", "Acme")
        for subject in (1, 2):
            for n in range(4):
                record_event(db.session, tenant_id=tenant.id, subject_type="case",
                             subject_id=subject, actor="a@acme.test", action=f"step{n}",
                             before={"n": n}, after={"n": n + 1, "amount": "695.00"},
                             comment="déjà vu")
                db.session.commit()
        return tenant.id


def test_a_fresh_chain_verifies(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent
    from workorders.platform.services.audit_verify import verify_chains

    tenant_id = _write_events(app)
    with app.app_context():
        assert verify_chains(tenant_id) == (8, [])
        first = db.session.query(AuditEvent).filter_by(subject_id=1, seq=1).one()
        second = db.session.query(AuditEvent).filter_by(subject_id=1, seq=2).one()
        assert first.prev_hash == GENESIS and second.prev_hash == first.hash


def _tamper(app: Flask, sql: str) -> None:
    from workorders.platform.extensions import db

    with app.app_context():
        db.session.execute(text(sql))
        db.session.commit()


def _breaks(app: Flask) -> list:  # type: ignore[type-arg]
    from workorders.platform.services.audit_verify import verify_chains

    with app.app_context():
        return verify_chains()[1]


def test_an_edited_row_is_named(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "UPDATE audit_events SET actor = 'mallory@acme.test' "
                 "WHERE subject_id = 1 AND seq = 2")
    [brk] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (1, 2)
    assert "this event was changed" in brk.reason


def test_a_deleted_row_is_named(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "DELETE FROM audit_events WHERE subject_id = 2 AND seq = 3")
    [brk, head] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (2, 4) and "removed" in brk.reason
    assert "counts 8 events but 7 are stored" in head.describe()


def test_a_rehashed_forgery_still_breaks_the_link(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent
    from workorders.platform.services.audit import chain_key, event_hash

    _write_events(app)
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(subject_id=1, seq=2).one()
        event.comment = "forged"
        event.hash = event_hash(event, chain_key())  # the forger recomputes this row's hash...
        db.session.commit()
    [brk] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (1, 3)  # ...but the next row's link gives it away
    assert "earlier event was changed" in brk.reason


def _rehash_without_the_key(app: Flask, subject_id: int, from_seq: int) -> None:
    """What a database writer without the instance key can do: recompute plain
    SHA-256 hashes (the old scheme) over the rest of the chain after an edit."""
    import hashlib
    import json

    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(subject_id=subject_id).order_by(
            AuditEvent.seq).all()
        prev = GENESIS
        for event in events:
            if event.seq >= from_seq:
                event.prev_hash = prev
                content = {"tenant_id": event.tenant_id, "subject_type": event.subject_type,
                           "subject_id": event.subject_id, "seq": event.seq,
                           "at": event.at.isoformat(timespec="microseconds"),
                           "actor": event.actor, "action": event.action,
                           "before": event.before, "after": event.after,
                           "comment": event.comment, "prev_hash": event.prev_hash}
                event.hash = hashlib.sha256(json.dumps(
                    content, sort_keys=True, separators=(",", ":"),
                    ensure_ascii=False).encode()).hexdigest()
            prev = event.hash
        db.session.commit()


def test_an_edit_with_the_rest_of_the_chain_rehashed_is_named(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "UPDATE audit_events SET after = NULL WHERE subject_id = 1 AND seq = 2")
    _rehash_without_the_key(app, subject_id=1, from_seq=2)
    [brk] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (1, 2)
    assert "this event was changed" in brk.reason


def test_a_chain_sealed_with_another_key_does_not_verify(app: Flask) -> None:
    from workorders.platform import create_app

    _write_events(app)
    settings = app.extensions["workorders.settings"]
    other = create_app({"database_url": settings.database_url,
                        "instance_dir": settings.instance_dir, "secret_key": "another-key"})
    breaks = _breaks(other)
    assert {b.subject_id for b in breaks if hasattr(b, "subject_id")} == {1, 2}
    assert any("head" in b.describe() for b in breaks)


def test_deleting_the_newest_event_is_detected_by_the_head(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "DELETE FROM audit_events WHERE subject_id = 2 AND seq = 4")
    [brk] = _breaks(app)
    assert "acme" in brk.describe()
    assert "counts 8 events but 7 are stored" in brk.describe()


def test_deleting_a_case_s_whole_chain_is_detected(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "DELETE FROM audit_events WHERE subject_id = 1")
    [brk] = _breaks(app)
    assert "counts 8 events but 4 are stored" in brk.describe()


def test_deleting_every_event_of_the_tenant_is_detected(app: Flask) -> None:
    from workorders.platform.services.audit_verify import verify_chains

    tenant_id = _write_events(app)
    _tamper(app, "DELETE FROM audit_events")
    with app.app_context():
        checked, [brk] = verify_chains(tenant_id)
    assert checked == 0 and "counts 8 events but 0 are stored" in brk.describe()


def test_deleting_the_head_is_detected(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "DELETE FROM audit_heads")
    [brk] = _breaks(app)
    assert "8 audit events but no head" in brk.describe()


def test_a_head_edited_to_match_a_deletion_is_detected(app: Flask) -> None:
    _write_events(app)
    _tamper(app, "DELETE FROM audit_events WHERE subject_id = 2 AND seq = 4")
    _tamper(app, "UPDATE audit_heads SET count = 7, last_hash = (SELECT hash FROM audit_events "
                 "WHERE subject_id = 2 AND seq = 3)")
    [brk] = _breaks(app)
    assert "does not match its MAC" in brk.describe()


def test_the_head_follows_every_event_in_one_transaction(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent, AuditHead
    from workorders.platform.services.accounts import create_tenant
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_verify import verify_chains

    with app.app_context():
        tenant = create_tenant("acme", "Acme")
        for subject in (5, 6, 5):
            record_event(db.session, tenant_id=tenant.id, subject_type="case",
                         subject_id=subject, actor="a@acme.test", action="step")
        db.session.commit()
        head = db.session.get(AuditHead, tenant.id)
        newest = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert head is not None and newest is not None
        assert (head.count, head.last_hash) == (3, newest.hash)
        assert verify_chains(tenant.id) == (3, [])


def test_a_rolled_back_event_leaves_the_head_alone(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_verify import verify_chains

    tenant_id = _write_events(app)
    with app.app_context():
        record_event(db.session, tenant_id=tenant_id, subject_type="case", subject_id=1,
                     actor="a@acme.test", action="abandoned")
        db.session.rollback()
        record_event(db.session, tenant_id=tenant_id, subject_type="case", subject_id=2,
                     actor="a@acme.test", action="kept")
        db.session.commit()
        assert verify_chains(tenant_id) == (9, [])


def test_concurrent_events_of_one_tenant_serialise_on_its_head(app: Flask) -> None:
    """Different cases, no other shared lock: only the head's row lock keeps its count."""
    from tests.integration.test_cases_concurrency import run_together
    from workorders.platform.database import begin_write
    from workorders.platform.extensions import db
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_verify import verify_chains

    tenant_id = _write_events(app)

    def append(i: int) -> None:
        with app.app_context():
            begin_write(db.session())
            record_event(db.session, tenant_id=tenant_id, subject_type="case",
                         subject_id=100 + i, actor="a@acme.test", action="parallel")
            db.session.commit()

    run_together(8, append)
    with app.app_context():
        assert verify_chains(tenant_id) == (16, [])


def test_audit_verify_names_a_missing_head_and_exits_1(app: Flask, clean_database: str) -> None:
    from tests.support.processes import command_env, run_workorders

    _write_events(app)
    _tamper(app, "DELETE FROM audit_heads")
    settings = app.extensions["workorders.settings"]
    result = run_workorders(["audit", "verify"], command_env(clean_database,
                                                              settings.instance_dir))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN tenant acme: 8 audit events but no head" in result.stdout
