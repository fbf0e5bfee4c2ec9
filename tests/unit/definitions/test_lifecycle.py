"""The lifecycle engine on the example heat-pump installer's installation type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import load_bundle
from workorders.definitions.lifecycle import (
    CaseSnapshot,
    available,
    check,
    is_work_complete_or_later,
    owner_of,
)
from workorders.definitions.model import CaseType

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def installation() -> CaseType:
    bundle = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert bundle is not None
    case_type = bundle.case_type("installation")
    assert case_type is not None
    return case_type


def snap(status: str, roles: set[str], **kw: Any) -> CaseSnapshot:
    return CaseSnapshot(status=status, actor_roles=frozenset(roles),
                        actor_is_assignee=kw.pop("assignee_me", False),
                        attributes=kw.pop("attributes", {}), **kw)


def test_lists_every_unmet_requirement_not_just_the_first(installation: CaseType) -> None:
    [schedule] = [c for c in available(installation, snap("booked", {"technician"}))
                  if c.transition.id == "schedule"]
    kinds = [u.kind for u in schedule.unmet]
    assert kinds[0] == "role" and kinds.count("requires") == len(schedule.transition.requires)
    assert not schedule.allowed


def test_requirements_met_allow_the_transition(installation: CaseType) -> None:
    t = installation.lifecycle.transition("schedule")
    assert t is not None
    attrs = {name: "set" for name in t.requires}
    result = check(installation, "schedule", snap("booked", set(t.roles) - {"system"},
                                                  attributes=attrs))
    assert result is not None and result.allowed, result.unmet if result else None


def test_wrong_state_is_named(installation: CaseType) -> None:
    result = check(installation, "schedule", snap("in_progress", {"coordinator"}))
    assert result is not None
    assert result.unmet[0].kind == "state" and "cannot" in result.unmet[0].message


def test_technicians_act_only_on_their_own_jobs(installation: CaseType) -> None:
    start = next(t for t in installation.lifecycle.transitions if "technician" in t.roles)
    state = start.from_states[0]
    theirs = check(installation, start.id, snap(state, {"technician"}, assignee_me=True))
    other = check(installation, start.id, snap(state, {"technician"}, assignee_me=False))
    assert theirs is not None and not [u for u in theirs.unmet if u.kind == "assignee"]
    assert other is not None and [u.kind for u in other.unmet] == ["assignee"]


def test_required_forms_need_a_final_submission(installation: CaseType) -> None:
    t = next(t for t in installation.lifecycle.transitions if t.requires_forms)
    roles = set(t.roles) - {"system"}
    missing = check(installation, t.id, snap(t.from_states[0], roles, assignee_me=True))
    done = check(installation, t.id, snap(t.from_states[0], roles, assignee_me=True,
                                          final_forms=frozenset(t.requires_forms)))
    assert missing is not None and {u.name for u in missing.unmet} == set(t.requires_forms)
    assert done is not None and done.allowed


def test_invoice_blockers_refuse_requires_invoice_ready(installation: CaseType) -> None:
    t = next(t for t in installation.lifecycle.transitions if t.requires_invoice_ready)
    roles = set(t.roles) - {"system"}
    blocked = check(installation, t.id, snap(t.from_states[0], roles,
                                             invoice_blockers=("No customer signature",)))
    assert blocked is not None
    assert [u.message for u in blocked.unmet] == ["No customer signature"]


def test_unknown_transition_is_none(installation: CaseType) -> None:
    assert check(installation, "teleport", snap("booked", {"admin"})) is None


def test_owner_per_state(installation: CaseType) -> None:
    for state in installation.lifecycle.states:
        assert owner_of(installation, state.id) == state.owner
    assert owner_of(installation, "nowhere") is None


def test_work_complete_or_later(installation: CaseType) -> None:
    lifecycle = installation.lifecycle
    complete = [s.id for s in lifecycle.states if s.work_complete]
    assert complete and all(is_work_complete_or_later(installation, s) for s in complete)
    assert not is_work_complete_or_later(installation, lifecycle.initial)
    finals = {s.id for s in lifecycle.states if s.final}
    reached_by_cancel = {t.to for t in lifecycle.transitions
                         if lifecycle.initial in t.from_states and t.to in finals}
    for state in reached_by_cancel:
        assert not is_work_complete_or_later(installation, state)
    invoiced = [t.to for t in lifecycle.transitions if t.id == "invoice"]
    assert invoiced and is_work_complete_or_later(installation, invoiced[0])


def test_unmet_requirements_name_forms_by_title(
        installation: CaseType) -> None:
    """Issue 15: a person reads "the form “Installation report”", never its id."""
    t = next(t for t in installation.lifecycle.transitions if t.requires_forms)
    form_id = t.requires_forms[0]
    named = check(installation, t.id, snap(t.from_states[0], set(t.roles),
                                          form_titles={form_id: "Installation report"}))
    assert named is not None
    [message] = [u.message for u in named.unmet if u.name == form_id]
    assert message == "the form “Installation report” needs a final submission"
    bare = check(installation, t.id, snap(t.from_states[0], set(t.roles)))
    assert bare is not None
    assert all("_" not in u.message for u in bare.unmet if u.kind == "requires_forms")
