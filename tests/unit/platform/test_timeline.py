"""The audit trail in words for reports and rule outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import load_bundle
from workorders.platform.models import AuditEvent
from workorders.platform.web.timeline import Describer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def describer() -> Describer:
    bundle = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert bundle is not None
    case_type = bundle.case_type("installation")
    assert case_type is not None
    return Describer(case_type, {"carl@x.test": "Carl"})


def event(action: str, after: dict[str, Any], before: dict[str, Any] | None = None) -> AuditEvent:
    return AuditEvent(seq=1, at=datetime.now(UTC), actor="system", action=action,
                      before=before, after=after, comment="why")


@pytest.mark.parametrize(("action", "after", "headline"), [
    ("exception:opened", {"exception": 3, "code": "MISSING_SIGNATURE", "severity": "high"},
     "Exception MISSING_SIGNATURE raised (high)"),
    ("exception:resolved_by_rule", {"exception": 3, "rule": "r"},
     "Exception #3 closed: the rule no longer applies"),
    ("exception:assigned", {"exception": 3, "assignee": "carl@x.test"},
     "Exception #3 assigned to Carl"),
    ("approval:requested", {"approval": 4, "approver": "role:coordinator", "rule": "r"},
     "Approval requested from role coordinator"),
    ("invoicing:unblocked", {"block": 1, "rule": "missing_signature"},
     "Invoicing block lifted: rule missing_signature no longer applies"),
])
def test_rule_outcomes_read_as_sentences(describer: Describer, action: str,
                                         after: dict[str, Any], headline: str) -> None:
    entry = describer.entry(event(action, after))
    assert (entry.kind, entry.headline, entry.comment) == ("rule", headline, "why")


def test_reports_name_the_form_and_revision_and_show_changes(describer: Describer) -> None:
    entry = describer.entry(event("correction:installation_report",
                                  {"revision": 2, "customer_name": "Lena"},
                                  {"revision": 1, "customer_name": None}))
    assert entry.headline == "Corrected the installation report (revision 2)"
    assert [(c.label, c.before, c.after) for c in entry.changes] == [
        ("customer name", "—", "Lena")]


def test_report_lines_photos_and_signatures_read_as_words(describer: Describer) -> None:
    entry = describer.entry(event("final:installation_report", {
        "revision": 1, "time": [{"date": "2026-11-26", "hours": "6"}, {"hours": "1"}],
        "photos": ["a1"], "customer_signature": {"image": "s1", "name": "Lena"}}))
    assert {(c.label, c.after) for c in entry.changes} == {
        ("time", "2 lines"), ("photos", "1 item"), ("customer signature", "signed by Lena")}
