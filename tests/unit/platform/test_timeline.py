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
    return Describer(case_type, {"carl@x.test": "Carl"}, bundle)


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
     "Approval requested from a coordinator"),
    ("approval:requested", {"approval": 4, "approver": "role:admin", "rule": "r"},
     "Approval requested from an admin"),
    ("approval:requested", {"approval": 4, "approver": "customer", "rule": "r"},
     "Approval requested from the customer"),
    ("invoicing:unblocked", {"block": 1, "rule": "missing_signature"},
     "Invoicing block lifted: the rule no longer applies"),
])
def test_rule_outcomes_read_as_sentences(describer: Describer, action: str,
                                         after: dict[str, Any], headline: str) -> None:
    entry = describer.entry(event(action, after))
    assert (entry.kind, entry.headline, entry.comment) == ("rule", headline, "why")


def test_reports_name_the_form_and_revision_and_show_changes(describer: Describer) -> None:
    entry = describer.entry(event("correction:installation_report",
                                  {"revision": 2, "customer_name": "Lena"},
                                  {"revision": 1, "customer_name": None}))
    assert entry.headline == "Corrected “Installation report” (revision 2)"
    assert [(c.label, c.before, c.after) for c in entry.changes] == [
        ("Name of the person signing", "—", "Lena")]


def test_report_lines_photos_and_signatures_read_as_words(describer: Describer) -> None:
    entry = describer.entry(event("final:installation_report", {
        "revision": 1, "time": [{"date": "2026-11-26", "hours": "6"}, {"hours": "1"}],
        "photos": ["a1"], "customer_signature": {"image": "s1", "name": "Lena"}}))
    assert {(c.label, c.after) for c in entry.changes} == {
        ("Time", "2 lines"), ("Photos of the installation", "1 item"),
        ("Customer signature", "signed by Lena")}


def test_status_changes_and_transitions_read_as_state_labels(describer: Describer) -> None:
    """Issue 15: "Status: scheduled → in_progress" must name the states."""
    moved = describer.entry(event("updated", {"status": "in_progress"}, {"status": "scheduled"}))
    assert [(c.label, c.before, c.after) for c in moved.changes] == [
        ("Status", "Scheduled", "In progress")]
    step = describer.entry(event("transition:start", {"status": "in_progress"},
                                 {"status": "scheduled"}))
    assert "in_progress" not in step.headline and "In progress" in step.headline


def test_unknown_fields_and_forms_still_read_as_words(describer: Describer) -> None:
    entry = describer.entry(event("final:old_form", {"revision": 1, "gone_field": "x"}))
    assert entry.headline == "Submitted “old form” (revision 1)"
    assert [c.label for c in entry.changes] == ["Gone field"]


def test_a_move_reads_as_one_scheduled_sentence_and_the_technician_by_name(
        describer: Describer) -> None:
    """A reschedule is one "Scheduled: old window → new window" line, not a start
    line and an end line; the technician change reads "Technician: A → B"."""
    entry = describer.entry(event(
        "updated",
        {"scheduled_start": "2026-11-25T09:00:00+00:00",
         "scheduled_end": "2026-11-25T11:00:00+00:00", "assignee": "tove@x.test"},
        {"scheduled_start": "2026-11-24T07:00:00+00:00",
         "scheduled_end": "2026-11-24T09:00:00+00:00", "assignee": "carl@x.test"}))
    assert entry.headline == "Changed the booking"
    assert [(c.label, c.before, c.after) for c in entry.changes] == [
        ("Scheduled", "Tue, 24 Nov 2026, 08:00–10:00 CET",
         "Wed, 25 Nov 2026, 10:00–12:00 CET"),
        ("Technician", "Carl", "tove@x.test")]
    assert not any("start" in c.label or "end" in c.label for c in entry.changes)


def test_a_move_of_one_end_and_a_first_booking_still_read_as_windows(
        describer: Describer) -> None:
    # an older event holding only the moved end shows what it holds
    only_start = describer.entry(event("updated",
                                       {"scheduled_start": "2026-11-25T09:00:00+00:00"},
                                       {"scheduled_start": "2026-11-24T07:00:00+00:00"}))
    [change] = only_start.changes
    assert (change.label, change.before, change.after) == (
        "Scheduled", "Tue, 24 Nov 2026, 08:00 CET", "Wed, 25 Nov 2026, 10:00 CET")
    first = describer.entry(event("updated", {"scheduled_start": "2026-11-25T09:00:00+00:00",
                                              "scheduled_end": None},
                                  {"scheduled_start": None, "scheduled_end": None}))
    assert [(c.label, c.before) for c in first.changes] == [("Scheduled", "—")]
    assigned = describer.entry(event("updated", {"assignee": "carl@x.test"}, {"assignee": None}))
    assert assigned.headline == "Assigned to Carl"
    assert [(c.label, c.before, c.after) for c in assigned.changes] == [
        ("Technician", "—", "Carl")]
