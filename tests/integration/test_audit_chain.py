"""The audit trail's hash chain detects edits, deletions and reordering."""

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
    from workorders.platform.services.audit import verify_chains

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
    from workorders.platform.services.audit import verify_chains

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
    [brk] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (2, 4) and "removed" in brk.reason


def test_a_rehashed_forgery_still_breaks_the_link(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent
    from workorders.platform.services.audit import event_hash

    _write_events(app)
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(subject_id=1, seq=2).one()
        event.comment = "forged"
        event.hash = event_hash(event)  # the forger recomputes this row's hash...
        db.session.commit()
    [brk] = _breaks(app)
    assert (brk.subject_id, brk.seq) == (1, 3)  # ...but the next row's link gives it away
    assert "earlier event was changed" in brk.reason
