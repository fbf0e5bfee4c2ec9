"""``previous.*``: what a rescheduled case had before the move.

Only a rule that runs on ``reschedule`` may read it (validation refuses it
elsewhere, in conditions and in templates alike); both engines decide alike on
it; a golden test gives it with ``previous:``; the demo's text names the old and
the new time.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import Bundle, load_bundle, validate_data
from workorders.definitions.conditions import parse_condition
from workorders.definitions.facts import fact_types
from workorders.golden import run_golden_tests
from workorders.rules import RuleSpec, compile_rules, evaluate
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.outcomes import plan_outcomes
from workorders.rules.render import PLACEHOLDER_LINKS, template_context
from workorders.rules.trace import TraceNames, describe
from workorders.rules.words import rule_in_words

EXAMPLE = Path(__file__).parents[3] / "definitions" / "nordvarme-heatpumps.yaml"
MOVED = "tell_customer_visit_moved"


def _raw() -> dict[str, Any]:
    result = load_bundle(EXAMPLE.read_text(encoding="utf-8"))
    assert result.normalized is not None
    return copy.deepcopy(result.normalized)


def _rule(data: dict[str, Any], rule_id: str = MOVED) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def _errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate_data(data).errors]


@pytest.fixture(scope="module")
def nordvarme() -> Bundle:
    bundle = load_bundle(EXAMPLE.read_bytes()).bundle
    assert bundle is not None
    return bundle


# --- the fact catalogue and validation --------------------------------------------------

def test_previous_facts_have_the_case_facts_types(nordvarme: Bundle) -> None:
    facts = fact_types(nordvarme, "installation")
    for path in ("scheduled_start", "scheduled_end", "assignee", "assignee.email",
                 "assignee.name"):
        assert facts[f"previous.{path}"] == facts[f"case.{path}"]
    assert not any(p.startswith("previous.") and p.split(".")[1] not in (
        "scheduled_start", "scheduled_end", "assignee") for p in facts)


def test_a_reschedule_rule_may_read_previous_in_when_and_templates() -> None:
    data = _raw()
    rule = _rule(data)
    rule["when"] = {"all": [{"fact": "previous.scheduled_start", "op": "lt",
                             "value": "2026-11-25"},
                            {"fact": "previous.assignee.email", "op": "present"}]}
    rule["then"].append({"raise_exception": {
        "code": "MOVED", "severity": "low",
        "message": "Moved from {{ previous.scheduled_start|datetime }} "
                   "({{ previous.assignee.name }})"}})
    assert _errors(data) == []


def test_previous_in_when_of_a_rule_not_on_reschedule_is_refused_in_words() -> None:
    data = _raw()
    rule = _rule(data, "missing_signature")  # on: [submit, correct]
    rule["when"]["all"].append({"fact": "previous.scheduled_start", "op": "present"})
    errors = _errors(data)
    [(path, message)] = [e for e in errors if "previous" in e[1]]
    index = data["rules"].index(rule)
    assert path == f"/rules/{index}/when/all/2/fact"
    assert message == ("'previous.scheduled_start' is only known when a rule runs on "
                       "reschedule (the booking's window or technician changed), and rule "
                       "'missing_signature' runs on submit, correct")
    problem = next(p for p in validate_data(data).errors if p.path == path)
    assert "add reschedule" in (problem.hint or "")


def test_a_rule_without_on_runs_on_submit_and_correct_so_previous_is_refused() -> None:
    data = _raw()
    rule = _rule(data, "bulk_material_line")  # no on: the default triggers
    rule["when"] = {"fact": "previous.assignee", "op": "present"}
    assert any("runs on submit, correct" in m for _, m in _errors(data))


def test_previous_in_an_action_template_of_another_trigger_is_refused() -> None:
    data = _raw()
    rule = _rule(data, "bulk_material_line")
    rule["then"][0]["raise_exception"]["message"] = "was {{ previous.scheduled_start }}"
    index = data["rules"].index(rule)
    errors = dict(_errors(data))
    message = errors[f"/rules/{index}/then/0/raise_exception/message"]
    assert message.startswith("the template reads 'previous', which is only known when a "
                              "rule runs on reschedule")


def test_a_notification_template_reading_previous_is_refused_for_other_triggers() -> None:
    data = _raw()
    rule = _rule(data, "tell_customer_we_are_coming")  # on transition:start, uses another
    rule["then"][0]["notify"]["template"] = "visit_moved"
    index = data["rules"].index(rule)
    errors = dict(_errors(data))
    assert errors[f"/rules/{index}/then/0/notify/template"].startswith(
        "notification template 'visit_moved' reads 'previous', which is only known when a "
        "rule runs on reschedule")
    # on reschedule as well as the transition: accepted (elsewhere previous.* is missing)
    rule["on"] = ["transition:start", "reschedule"]
    assert _errors(data) == []


def test_a_time_is_ordered_by_its_day_so_the_value_must_be_a_date() -> None:
    """The engines order dates and times by their written day: a full time as the
    value would be refused when the rules are compiled, so validation says so."""
    data = _raw()
    _rule(data)["when"] = {"fact": "previous.scheduled_start", "op": "lt",
                           "value": "2026-11-25T00:00:00+01:00"}
    [problem] = validate_data(data).errors
    assert problem.message == ("'lt' compares 'previous.scheduled_start' by its day, so the "
                               "value must be a date, not '2026-11-25T00:00:00+01:00'")
    assert problem.hint == "write the day: 2026-11-25"


def test_an_unknown_previous_fact_is_refused_with_a_suggestion() -> None:
    data = _raw()
    _rule(data)["when"] = {"fact": "previous.scheduled_stat", "op": "present"}
    problems = validate_data(data).errors
    [problem] = problems
    assert problem.message == "unknown fact 'previous.scheduled_stat'"
    assert "previous.scheduled_start" in (problem.hint or "")
    data = _raw()
    _rule(data)["when"] = {"fact": "previous.status", "op": "present"}  # not a moved key
    assert [p.message for p in validate_data(data).errors] == ["unknown fact 'previous.status'"]


def test_connector_templates_cannot_read_previous() -> None:
    data = _raw()
    data["connectors"][0]["options"]["your_reference"] = "{{ previous.scheduled_start }}"
    assert any("previous" in m for _, m in _errors(data))


# --- the engines -------------------------------------------------------------------------

CASE = {"type": "installation", "status": "scheduled", "customer": {"name": "Lena Berg"},
        "scheduled_start": "2026-11-25T09:00:00+00:00",
        "scheduled_end": "2026-11-25T11:00:00+00:00",
        "assignee": {"email": "tove@x.test", "name": "Tove"}}
RULES = {
    "was_early": {"fact": "previous.scheduled_start", "op": "lt", "value": "2026-11-24"},
    "was_unscheduled": {"fact": "previous.scheduled_start", "op": "missing"},
    "was_karin": {"fact": "previous.assignee.email", "op": "eq", "value": "karin@x.test"},
    "had_nobody": {"fact": "previous.assignee.email", "op": "missing"},
    "had_end": {"all": [{"fact": "previous.scheduled_end", "op": "present"},
                        {"fact": "case.scheduled_start", "op": "gte",
                         "value": "2026-11-25"}]},
}
PREVIOUS: list[tuple[dict[str, Any] | None, set[str]]] = [
    ({"scheduled_start": "2026-11-23T07:00:00+00:00",
      "scheduled_end": "2026-11-23T09:00:00+00:00", "assignee": "karin@x.test"},
     {"was_early", "was_karin", "had_end"}),
    ({"scheduled_start": "2026-11-24T13:00:00+00:00", "scheduled_end": None,
      "assignee": {"email": "tove@x.test", "name": "Tove"}}, set()),
    ({}, {"was_unscheduled", "had_nobody"}),
    (None, {"was_unscheduled", "had_nobody"}),  # not a reschedule: everything missing
]


@pytest.mark.parametrize(("previous", "fired"), PREVIOUS)
def test_durable_and_python_decide_alike_on_previous(previous: dict[str, Any] | None,
                                                     fired: set[str]) -> None:
    specs = [RuleSpec(rid, parse_condition(raw)) for rid, raw in RULES.items()]
    document = build_fact_document(case=CASE, form_id=None, form_data=None, totals=None,
                                   submission_kind=None, actor={"role": "coordinator"},
                                   previous=previous)
    results = {engine: set(evaluate(compile_rules(f"test/previous/{engine}/{id(previous)}",
                                                  specs, engine), document,  # type: ignore
                                    trace_all=True).fired)
               for engine in ("durable", "python")}
    assert results == {"durable": fired, "python": fired}


def test_previous_has_the_case_shapes_and_traces_read_in_words(nordvarme: Bundle) -> None:
    document = build_fact_document(case=CASE, form_id=None, form_data=None, totals=None,
                                   submission_kind=None, actor={"role": "coordinator"},
                                   previous={"scheduled_start": CASE["scheduled_start"],
                                             "assignee": "karin@x.test", "status": "x"})
    assert document["previous"] == {"scheduled_start": "2026-11-25T09:00:00+00:00",
                                    "scheduled_end": None,
                                    "assignee": {"email": "karin@x.test", "name": None}}
    compiled = compile_rules("test/previous/trace", [RuleSpec("r", parse_condition(
        RULES["was_karin"]))], "python")
    trace = compiled.python.trace("r", document)[1]
    text = describe(trace[0], TraceNames(nordvarme, "installation"))
    assert text.startswith("Assignee email before the move")


def test_a_rule_reading_previous_reads_as_a_sentence(nordvarme: Bundle) -> None:
    data = _raw()
    _rule(data)["when"] = {"fact": "previous.scheduled_start", "op": "present"}
    result = validate_data(data)
    assert result.bundle is not None
    rule = result.bundle.rule(MOVED)
    assert rule is not None
    sentence = rule_in_words(rule, result.bundle).sentence
    assert "the scheduled start before the move" in sentence
    assert "previous" not in sentence


# --- golden tests ------------------------------------------------------------------------

def _golden(data: dict[str, Any], engine: str) -> list[str]:
    result = validate_data(data)
    assert result.bundle is not None, [p.to_dict() for p in result.errors]
    return [f for r in run_golden_tests(result.bundle, engine=engine)  # type: ignore[arg-type]
            for f in r.failures]


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_a_golden_test_gives_previous_and_runs_the_reschedule_rules(engine: str) -> None:
    data = _raw()
    _rule(data)["when"] = {"fact": "previous.assignee.email", "op": "eq",
                           "value": "karin.berg@nordvarme.se"}
    moved = next(t for t in data["tests"] if "previous" in t)
    data["tests"] = [moved]
    assert _golden(data, engine) == []
    moved["previous"]["assignee"] = "someone.else@nordvarme.se"
    fired, notified = _golden(data, engine)
    assert "expected fired to include tell_customer_visit_moved" in fired
    assert ("Assignee email before the move “someone.else@nordvarme.se” is not "
            "“karin.berg@nordvarme.se”") in fired
    assert "expected notified to include visit_moved" in notified


def test_a_golden_test_gives_exactly_one_of_submit_transition_or_previous() -> None:
    data = _raw()
    moved = next(t for t in data["tests"] if "previous" in t)
    moved["transition"] = "start"
    messages = [m for _, m in _errors(data)]
    assert "a test needs exactly one of 'submit', 'transition' or 'previous'" in messages


def test_the_demo_text_names_the_old_and_the_new_time(nordvarme: Bundle) -> None:
    def body(previous: dict[str, Any]) -> str:
        document = build_fact_document(case=CASE, form_id=None, form_data=None, totals=None,
                                       submission_kind=None, actor={"role": "coordinator"},
                                       previous=previous)
        context = template_context(document, nordvarme, "installation",
                                   links=PLACEHOLDER_LINKS)
        [outcome] = plan_outcomes((MOVED,), nordvarme, context)
        return str(outcome.params["body"])

    moved = body({"scheduled_start": "2026-11-24T07:00:00+00:00",
                  "scheduled_end": "2026-11-24T09:00:00+00:00", "assignee": "tove@x.test"})
    assert "flyttat från tis 24 nov. 2026 08:00" in moved
    assert "till ons 25 nov. 2026 10:00" in moved  # Stockholm time, the tenant's locale
    first = body({})
    assert "flyttat till ons 25 nov. 2026 10:00" in first and "från" not in first.split(
        "flyttat")[1].split("till")[0]
    same_time = body({"scheduled_start": CASE["scheduled_start"],
                      "scheduled_end": CASE["scheduled_end"], "assignee": "karin@x.test"})
    assert "flyttat" not in same_time and "Tove kommer" in same_time
