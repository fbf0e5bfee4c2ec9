"""Upgrading to keyed audit chains (issue 11, item 6): ``workorders init`` seals the
chains written before the key existed, once, and never launders a broken one."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from tests.support.services import create_postgres_database, drop_postgres_database
from workorders.platform.services.audit_heads import GENESIS


@pytest.fixture
def old_app(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own database, migrated only to the revision before the heads."""
    from workorders.platform import create_app
    from workorders.platform.extensions import db
    from workorders.platform.migrate import upgrade_database

    name = f"workorders_seal_{os.getpid()}"
    url = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else create_postgres_database(name))
    app = create_app({"database_url": url, "instance_dir": tmp_path / "instance",
                      "secret_key": "test-secret", "redis_url": None, "TESTING": True})
    with app.app_context():
        upgrade_database(db.engine, "0010")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_postgres_database(name)


def _legacy_chain(tenant_id: int, subject_id: int, actions: list[str]) -> list[object]:
    """Events as the old code wrote them: plain SHA-256, no key."""
    from workorders.platform.models import AuditEvent
    from workorders.platform.models.types import utcnow
    from workorders.platform.services.audit import event_content

    events, prev, at = [], GENESIS, utcnow()
    for seq, action in enumerate(actions, start=1):
        event = AuditEvent(tenant_id=tenant_id, subject_type="case", subject_id=subject_id,
                           seq=seq, at=at + timedelta(seconds=seq), actor="a@acme.test",
                           action=action, before=None, after={"amount": "695.00"},
                           comment=None, prev_hash=prev)
        event.hash = prev = hashlib.sha256(event_content(event)).hexdigest()
        events.append(event)
    return events


def test_init_seals_old_chains_once_and_leaves_a_broken_one_broken(
        old_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    from workorders.platform.bootstrap import init_database
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent, AuditHead, Tenant
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.audit_verify import verify_chains

    with old_app.app_context():
        tenant = Tenant(slug="acme", name="Acme")
        db.session.add(tenant)
        db.session.flush()
        good = _legacy_chain(tenant.id, 1, ["booked", "scheduled", "started"])
        bad = _legacy_chain(tenant.id, 2, ["booked", "scheduled", "started"])
        bad[1].comment = "edited before the upgrade"  # type: ignore[attr-defined]
        db.session.add_all(good + bad)
        db.session.commit()
        tenant_id = tenant.id

    with caplog.at_level(logging.WARNING, logger="workorders.audit"):
        init_database(old_app)
    assert "sealed 4 of 6 audit events of tenant acme" in caplog.text
    assert "case 2 was already broken at event #2" in caplog.text

    with old_app.app_context():
        checked, breaks = verify_chains(tenant_id)
        assert checked == 6
        assert [(b.subject_id, b.seq) for b in breaks] == [(2, 2)]  # type: ignore[union-attr]
        head = db.session.get(AuditHead, tenant_id)
        assert head is not None and head.count == 6
        sealed = db.session.query(AuditEvent).filter_by(subject_id=1).order_by(
            AuditEvent.seq).all()
        hashes = [e.hash for e in sealed]
    caplog.clear()
    init_database(old_app)  # a second init seals nothing again
    assert "sealed" not in caplog.text
    with old_app.app_context():
        assert [e.hash for e in db.session.query(AuditEvent).filter_by(subject_id=1)
                .order_by(AuditEvent.seq)] == hashes
        record_event(db.session, tenant_id=tenant_id, subject_type="case", subject_id=1,
                     actor="a@acme.test", action="completed")
        db.session.commit()
        assert [(b.subject_id, b.seq) for b in verify_chains(tenant_id)[1]] == [  # type: ignore[union-attr]
            (2, 2)]
