"""Upgrading to case-wide outcomes (issue 12 item 2): rows written with the old
per-form and per-trigger scopes become case-wide, and a case left with two open
outcomes of one rule keeps only the newest, so "why not ready" names it once."""

from __future__ import annotations

from typing import Any

from alembic import command

from tests.support.cases import book, publish_example
from tests.support.world import World


def _rows(world: World, case_id: int) -> dict[str, Any]:
    from workorders.platform.extensions import db
    from workorders.platform.models import Approval, CaseException, InvoiceBlock

    def by_id(model: Any) -> list[tuple[str, str, str | None]]:
        rows = db.session.query(model).filter_by(case_id=case_id).order_by(model.id).all()
        return [(r.scope, r.status, getattr(r, "closed_by", getattr(r, "decided_by", None)))
                for r in rows]

    return {"exceptions": by_id(CaseException), "approvals": by_id(Approval),
            "blocks": by_id(InvoiceBlock)}


def test_old_scopes_become_case_wide_and_older_duplicates_close(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.migrate import alembic_config, upgrade_database
    from workorders.platform.models import Approval, CaseException, InvoiceBlock

    publish_example(world)
    case_id = book(world)["id"]
    common = {"tenant_id": world.a.tenant_id, "case_id": case_id, "trace": [],
              "fingerprint": "f" * 64}
    exception = {**common, "rule_id": "signature_required", "code": "MISSING_SIGNATURE",
                 "severity": "high", "message": "No signature", "trigger": "submit"}
    with world.app.app_context():
        db.session.add_all([
            CaseException(**exception, scope="form:installation_report"),
            CaseException(**exception, scope="form:commissioning_protocol"),
            CaseException(**exception, scope="form:service_report", status="resolved",
                          closed_by="coordinator@alpha.test"),
            CaseException(**{**exception, "rule_id": "other", "code": "OTHER"}, scope="start"),
            Approval(**common, rule_id="overtime", approver="role:coordinator",
                     reason="17 h", trigger="submit", scope="form:installation_report"),
            Approval(**common, rule_id="overtime", approver="role:coordinator",
                     reason="17 h", trigger="submit", scope="form:commissioning_protocol"),
            InvoiceBlock(**common, rule_id="no_price", reason="no price",
                         scope="form:installation_report"),
            InvoiceBlock(**common, rule_id="no_price", reason="no price", scope="complete"),
        ])
        db.session.commit()
        with db.engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.stamp(cfg, "0011")
        upgrade_database(db.engine, "0012")
        with db.engine.begin() as conn:  # the schema itself is at head: later tests
            cfg = alembic_config()       # upgrading to head must not re-run 0013+
            cfg.attributes["connection"] = conn
            command.stamp(cfg, "head")
        db.session.expire_all()
        rows = _rows(world, case_id)

    closed_by = "upgrade 0012 (an older duplicate of a case-wide outcome)"
    assert rows["exceptions"] == [
        ("case", "resolved_by_rule", closed_by),   # the older open duplicate
        ("case", "open", None),                    # the newest stays open
        ("case", "resolved", "coordinator@alpha.test"),  # a person's decision is kept
        ("case", "open", None),                    # another rule: alone, stays open
    ]
    assert rows["approvals"] == [("case", "resolved_by_rule", closed_by),
                                 ("case", "pending", None)]
    assert [(scope, status) for scope, status, _ in rows["blocks"]] == [
        ("case", "resolved_by_rule"), ("case", "active")]
