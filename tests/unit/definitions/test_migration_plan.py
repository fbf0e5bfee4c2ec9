"""The pure migration planner: one case, two bundles, no database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.support.repairs import V1, V2
from workorders.definitions import Bundle, load_bundle
from workorders.definitions.migration_plan import (
    CaseFacts,
    CasePlan,
    MigrationRequest,
    OpenOutcome,
    plan_case,
    request_problems,
)
from workorders.definitions.model import CaseType, Form
from workorders.golden import check_form as golden_check

REQUEST = MigrationRequest(state_map={"waiting": "on_hold"}, field_map={"urgency": "priority"})


def _bundle(text: str) -> Bundle:
    result = load_bundle(text)
    assert result.bundle is not None, result.errors
    return result.bundle


OLD, NEW = _bundle(V1), _bundle(V2)


def check(form: Form, bundle: Bundle, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The real form validation, as the platform plugs it in."""
    return [(e.split(": ", 1)[0], e.split(": ", 1)[1])
            for e in golden_check(form, bundle, dict(data), draft=False).errors]


def price(bundle: Bundle, case_type: CaseType,
          reports: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """Lines priced from the labour catalog: hours x the labour's price."""
    lines = []
    for data in reports.values():
        for entry in data.get("time", []):
            labor = bundle.labor(entry["labor"])
            assert labor is not None
            lines.append({"description": labor.name, "quantity": entry["hours"],
                          "unit_price": f"{labor.price:.2f}"})
    return lines


def _plan(case: CaseFacts, request: MigrationRequest = REQUEST) -> CasePlan:
    return plan_case(OLD, NEW, case, request, new_version=2, check_form=check, price=price)


def _case(**over: Any) -> CaseFacts:
    values: dict[str, Any] = {"case_type": "repair", "state": "booked",
                              "fields": {"urgency": "high"}}
    values.update(over)
    return CaseFacts(**values)


REPORT = {"time": [{"date": "2026-11-26", "hours": "2", "labor": "work"}], "notes": "ok"}


def test_a_case_whose_everything_fits_is_migratable_with_its_field_renamed() -> None:
    plan = _plan(_case(state="in_progress", reports={"report": REPORT}))
    assert plan.migratable and plan.problems == ()
    assert (plan.to_state, dict(plan.fields)) == ("in_progress", {"priority": "high"})
    assert plan.changes["fields"] == ("'urgency' becomes 'Priority'",)
    assert "rule 'no_notes' is gone" in plan.changes["rules"]


@pytest.mark.parametrize(("state", "mapped"), [("waiting", "on_hold"), ("booked", "booked")])
def test_the_state_map_and_the_same_id_default(state: str, mapped: str) -> None:
    assert _plan(_case(state=state)).to_state == mapped


def test_a_removed_state_without_a_mapping_is_a_problem() -> None:
    plan = _plan(_case(state="review"))
    assert not plan.migratable and plan.to_state is None
    assert plan.problems[0].startswith("the state 'Review' (review) does not exist in version 2")


def test_mapping_into_a_final_state_is_refused() -> None:
    plan = _plan(_case(state="done"), MigrationRequest(state_map={"done": "invoiced"},
                                                       field_map=REQUEST.field_map))
    assert not plan.migratable
    assert "'Invoiced' is a final state in version 2" in plan.problems[0]


def test_a_missing_required_field_and_an_unmapped_field_are_problems() -> None:
    assert _plan(_case(fields={})).problems == ("case field 'Priority': This field is "
                                                "required.",)
    unmapped = _plan(_case(), MigrationRequest())
    assert unmapped.problems[0].startswith("the case field 'urgency' has a value but version "
                                           "2 has no such field")


def test_a_field_mapped_to_null_is_dropped_on_purpose() -> None:
    plan = _plan(_case(fields={"urgency": "x"}),
                 MigrationRequest(field_map={"urgency": None}))
    assert "'urgency' is dropped (its value stays in the audit trail)" in plan.changes["fields"]
    assert plan.problems == ("case field 'Priority': This field is required.",)


def test_a_report_the_new_form_refuses_is_a_problem_naming_the_field() -> None:
    long_notes = {**REPORT, "notes": "x" * 41}
    plan = _plan(_case(state="in_progress", reports={"report": long_notes}))
    assert plan.problems == ("the submitted 'Repair report' does not fit version 2: 'Notes': "
                             "At most 40 characters.",)


def test_open_outcomes_of_a_gone_rule_close_but_a_pending_approval_blocks() -> None:
    exception = OpenOutcome("exception", "no_notes", "NO_NOTES")
    approval = OpenOutcome("approval", "no_notes", "Notes are missing")
    plan = _plan(_case(open_outcomes=(exception,)))
    assert plan.migratable
    assert ("the exception 'NO_NOTES' closes: its rule 'no_notes' is not in version 2"
            in plan.changes["rules"])
    blocked = _plan(_case(open_outcomes=(approval,)))
    assert blocked.problems == ("the approval 'Notes are missing' is pending and its rule "
                                "'no_notes' is not in version 2: decide it first",)


def test_an_invoiced_case_moves_only_while_its_invoice_stays_the_same() -> None:
    invoiced = {"erp": ("R101",)}
    same = _plan(_case(state="done", reports={"report": REPORT}, invoiced_by=invoiced))
    assert same.migratable
    travel = {**REPORT, "time": [*REPORT["time"],
                                 {"date": "2026-11-26", "hours": "1", "labor": "travel"}]}
    changed = _plan(_case(state="done", reports={"report": travel}, invoiced_by=invoiced))
    assert changed.problems == (
        "already invoiced (R101); version 2 would change what was invoiced: line 'Travel' "
        "1 x 400.00 becomes 1 x 450.00. Correct it on its own version instead (a credit note "
        "and a new invoice)",)


def test_a_case_type_missing_from_the_new_version_is_a_problem() -> None:
    plan = _plan(_case(case_type="boiler"))
    assert plan.problems == ("version 2 has no case type 'boiler'",)


def test_request_problems_name_the_unknown_state_and_field() -> None:
    bad = MigrationRequest(state_map={"waiting": "parked", "nowhere": "booked"},
                           field_map={"urgency": "prio"})
    problems = request_problems(NEW, [OLD], bad, 2)
    assert [p["path"] for p in problems] == ["/state_map/waiting", "/state_map/nowhere",
                                             "/field_map/urgency"]
    assert problems[0]["message"].startswith("'parked' is not a state in version 2")
    assert problems[1]["message"].startswith("'nowhere' is not a state of any version")
    assert request_problems(NEW, [OLD], REQUEST, 2) == []


def test_an_empty_field_the_old_version_had_is_not_called_new() -> None:
    """Only a field the old case type did not have is "new in this version"; an
    optional field the case left empty was there all along (seen on the demo: a
    renamed state listed every empty booking field as new)."""
    plan = plan_case(OLD, OLD, _case(fields={}), MigrationRequest(state_map={}, field_map={}),
                     new_version=2, check_form=check, price=price)
    assert plan.changes["fields"] == ()
    renamed = _plan(_case(fields={}))
    assert not any(c.startswith("new in this version") for c in renamed.changes["fields"])
