"""One wording for what blocks an invoice: golden tests, simulations and the
draft preview word planned outcomes (rules.readiness), the case page and exports
word stored rows (services.readiness). They said "role:coordinator" and
"role coordinator" for the same approval."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.integration.test_queue_pages import _overtime_case
from tests.support.cases import publish_example
from tests.support.world import World
from workorders.platform.extensions import db
from workorders.platform.models import Approval, CaseException, InvoiceBlock
from workorders.platform.services import readiness as stored
from workorders.rules import readiness as planned
from workorders.rules.outcomes import Outcome

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "workorders"


def test_planned_and_stored_outcomes_block_in_the_same_words(world: World) -> None:
    publish_example(world)
    case_id = _overtime_case(world)["case"]["id"]
    with world.app.app_context():
        blocks = db.session.execute(select(InvoiceBlock).where(
            InvoiceBlock.case_id == case_id)).scalars().all()
        approvals = db.session.execute(select(Approval).where(
            Approval.case_id == case_id)).scalars().all()
        exceptions = db.session.execute(select(CaseException).where(
            CaseException.case_id == case_id)).scalars().all()
        outcomes = [Outcome(b.rule_id, 0, "block_invoicing", {"reason": b.reason})
                    for b in blocks]
        outcomes += [Outcome(a.rule_id, 0, "require_approval",
                            {"approver": a.approver, "reason": a.reason}) for a in approvals]
        outcomes += [Outcome(e.rule_id, 0, "raise_exception",
                             {"code": e.code, "severity": e.severity, "message": e.message,
                              "assign": None}) for e in exceptions]
        from_rows = stored.outcome_blockers(world.a.tenant_id, case_id)
    assert {b.kind for b in from_rows} == {"block", "approval", "exception"}
    assert planned.outcome_blockers(outcomes) == from_rows
    assert any("Waiting for approval by a coordinator" in b.reason for b in from_rows)


def test_each_blocker_sentence_is_written_once() -> None:
    sources = [p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")]
    for phrase in ("Waiting for approval by", "(needed by the"):
        assert sum(text.count(phrase) for text in sources) == 1, phrase
