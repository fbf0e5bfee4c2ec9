"""Golden tests: a bundle's own test cases, run through the real engine.

Pure (no database): each test builds a case, validates and prices its
submission, builds the fact document, evaluates the rules for its trigger,
plans the outcomes and computes the status and invoice readiness; then
``golden_checks`` compares that with ``expect``.

``workorders.rules`` may not import ``workorders.forms`` (they are independent
layers), yet a test's data must be validated and priced exactly as the
platform does. So the two form functions are parameters here (``validate``,
``totals``), and ``workorders.golden`` wires in the real ones; the platform and
the CLI call that module.

What a test means (docs/rules.md): ``submit.kind`` defaults to ``final``; a
``draft`` is validated as a draft; a ``correction`` runs the ``correct``
rules. A ``transition`` test checks the transition may leave the given
status (its requirements are about booking data, which tests need not spell
out), moves the case to the target state and runs both the
``transition:<id>`` and the ``enter:<state>`` rules. A ``previous`` test is a
move: ``case`` holds the new window and technician, ``previous`` the old ones,
and the ``reschedule`` rules run (as a coordinator, who moves bookings). Rules
triggered by transitions that actions perform are not chained within one test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from workorders.definitions.check_budget import check_time_left
from workorders.definitions.model import Bundle, CaseType, Form, GoldenTest
from workorders.definitions.vocabulary import PREVIOUS_KEYS, RESCHEDULE
from workorders.rules.api import CompiledRules, EngineName, compile_rules, evaluate
from workorders.rules.bundle_rules import rule_specs
from workorders.rules.errors import RuleEngineError
from workorders.rules.facts_doc import build_fact_document, plain
from workorders.rules.golden_checks import Observed, check_expectations
from workorders.rules.outcomes import plan_outcomes
from workorders.rules.readiness import invoice_readiness
from workorders.rules.render import PLACEHOLDER_LINKS, template_context
from workorders.rules.trace import TraceNames, describe, jsonable
from workorders.rules.transitions import status_after


@dataclass(frozen=True, slots=True)
class FormCheck:
    """What ``validate`` answers: readable errors ("/photos: Add at least 1 photo.")
    and the cleaned data the rules see."""

    errors: Sequence[str]
    cleaned: Mapping[str, Any]


class Validate(Protocol):
    def __call__(self, form: Form, bundle: Bundle, data: dict[str, Any], *,
                 draft: bool) -> FormCheck: ...


#: (form, bundle, cleaned data) -> the ``totals.*`` facts
Totalize = Callable[[Form, Bundle, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class GoldenResult:
    """``details`` (when the test could run) is what the editor's tests panel shows
    beside the failures: ``expected`` (the test's ``expect``), ``actual`` (the same
    keys as observed, plus the blockers) and ``traces`` of the rules the test names
    or that fired (``observed_details``)."""

    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    details: Mapping[str, Any] | None = None


class _Unrunnable(Exception):
    """The test cannot be evaluated (bad data, impossible transition)."""


@dataclass(frozen=True)
class _Input:
    """What a test's ``submit`` or ``transition`` feeds the evaluation."""

    triggers: list[str]
    roles: tuple[str, ...]  # who may act: the default actor's role comes from here
    form_id: str | None = None
    data: Mapping[str, Any] | None = None
    totals: Mapping[str, Any] | None = None
    kind: str | None = None
    final_forms: frozenset[str] = frozenset()


def _case_of(test: GoldenTest, case_type: CaseType) -> dict[str, Any]:
    raw = plain(test.case)
    fields = dict(raw.get("fields") or {})
    for f in case_type.fields:
        if f.default is not None:
            fields.setdefault(f.id, plain(f.default))
    case = {"type": case_type.id, "status": raw["status"],
            "number": f"{case_type.number_prefix}-TEST-00001", "fields": fields}
    for key in ("assignee", "customer", "site", "scheduled_start", "scheduled_end"):
        case[key] = raw.get(key)
    return case


def _previous_of(test: GoldenTest) -> dict[str, Any] | None:
    """A reschedule test's ``previous`` as the case keys it stands for (assignee an
    email, like the test's ``case``); None for the other tests."""
    if test.previous is None:
        return None
    raw = plain(test.previous)
    return {key: raw.get(key) for key in PREVIOUS_KEYS}


def _actor(test: GoldenTest, case: Mapping[str, Any], roles: Sequence[str]) -> dict[str, Any]:
    """The test's actor, else the first (non-system) role allowed to act."""
    people = [r for r in roles if r != "system"] or list(roles)
    actor = {"role": people[0], "email": case.get("assignee")}
    actor.update(plain(test.actor or {}))
    return actor


#: who moves a booking (the platform's bookers): a reschedule test's default actor
MOVERS = ("coordinator", "admin")
#: one run's compiled rules by (case type, trigger): shared by its tests, then dropped
Compiled = dict[tuple[str, str], CompiledRules]


class _Run:
    """One test's evaluation; raises _Unrunnable or RuleEngineError."""

    def __init__(self, bundle: Bundle, test: GoldenTest, validate: Validate,
                 totals: Totalize, engine: EngineName, compiled: Compiled | None = None) -> None:
        self.bundle, self.test, self.engine = bundle, test, engine
        self.validate, self.totalize = validate, totals
        self.compiled: Compiled = {} if compiled is None else compiled

    def _rules(self, case_type_id: str, trigger: str) -> CompiledRules:
        """Compiled outside the process's cache: a bundle being checked is not live,
        so its rule lists must not stay in memory nor push out live versions'."""
        key = (case_type_id, trigger)
        if key not in self.compiled:
            self.compiled[key] = compile_rules(
                f"golden/{case_type_id}/{trigger.replace(':', '.')}",
                rule_specs(self.bundle, case_type_id, trigger), self.engine, keep=False)
        return self.compiled[key]

    def observe(self) -> Observed:
        bundle, test = self.bundle, self.test
        case_type = bundle.case_type(str(test.case.get("case_type")))
        if case_type is None:
            raise _Unrunnable(f"unknown case type '{test.case.get('case_type')}'")
        case = _case_of(test, case_type)
        if test.submit is not None:
            given = self._submit(case_type)
        elif test.previous is not None:
            given = _Input([RESCHEDULE], MOVERS)
        else:
            given = self._transition(case_type, case)
        triggers = given.triggers
        document = build_fact_document(case=case, form_id=given.form_id, form_data=given.data,
                                       totals=given.totals, submission_kind=given.kind,
                                       actor=_actor(test, case, given.roles),
                                       previous=_previous_of(test))
        compiled = [self._rules(case_type.id, t) for t in triggers]
        fired_ids = {r for c in compiled for r in evaluate(c, document).fired}
        fired = tuple(r.id for r in bundle.rules if r.id in fired_ids)
        context = template_context(document, bundle, case_type.id, links=PLACEHOLDER_LINKS)
        outcomes = plan_outcomes(fired, bundle, context)
        status, refused = status_after(case_type, case["status"], outcomes,
                                       case=document["case"], final_forms=given.final_forms)
        readiness = invoice_readiness(case_type, status, outcomes)
        return Observed(fired, outcomes, status, refused, readiness,
                        _explainer(compiled, document, triggers, case_type.id),
                        TraceNames(bundle, case_type.id))

    def _submit(self, case_type: CaseType) -> _Input:
        submit = self.test.submit or {}
        form = self.bundle.form(str(submit.get("form")))
        if form is None or form.id not in case_type.forms:
            raise _Unrunnable(f"form '{submit.get('form')}' is not a form of case type "
                              f"'{case_type.id}'")
        kind = str(submit.get("kind", "final"))
        check = self.validate(form, self.bundle, plain(submit.get("data") or {}),
                              draft=kind == "draft")
        if check.errors:
            raise _Unrunnable(f"the data submitted to form '{form.id}' is invalid: "
                              + "; ".join(check.errors))
        return _Input(["correct" if kind == "correction" else "submit"], ("technician",),
                      form.id, check.cleaned, self.totalize(form, self.bundle, check.cleaned),
                      kind, frozenset() if kind == "draft" else frozenset({form.id}))

    def _transition(self, case_type: CaseType, case: dict[str, Any]) -> _Input:
        transition = case_type.lifecycle.transition(str(self.test.transition))
        if transition is None:
            raise _Unrunnable(f"unknown transition '{self.test.transition}'")
        if case["status"] not in transition.from_states:
            raise _Unrunnable(f"transition '{transition.id}' cannot start from state "
                              f"'{case['status']}' (it leaves {', '.join(transition.from_states)})")
        case["status"] = transition.to
        return _Input([f"transition:{transition.id}", f"enter:{transition.to}"],
                      transition.roles)


def _explainer(compiled: Sequence[CompiledRules], document: dict[str, Any],
               triggers: Sequence[str], case_type_id: str) -> Callable[[str], Any]:
    """rule id -> its trace (or a sentence saying it does not run here)."""
    def explain(rule_id: str) -> Any:
        for rules in compiled:
            if rule_id in rules.ids:
                return rules.python.trace(rule_id, document)[1]
        return (f"{rule_id} does not run on {' or '.join(triggers)} "
                f"for case type '{case_type_id}'")
    return explain


def run_golden_test(bundle: Bundle, test: GoldenTest, *, validate: Validate,
                    totals: Totalize, engine: EngineName = "durable",
                    compiled: Compiled | None = None) -> GoldenResult:
    """Run one golden test; every unmet expectation is one failure message."""
    prefix = f"test '{test.name}': "
    try:
        observed = _Run(bundle, test, validate, totals, engine, compiled).observe()
    except _Unrunnable as exc:
        return GoldenResult(test.name, False, [prefix + str(exc)])
    except RuleEngineError as exc:
        return GoldenResult(test.name, False, [f"{prefix}the rules engine failed: {exc}"])
    failures = [prefix + message for message in check_expectations(test.expect, observed)]
    return GoldenResult(test.name, not failures, failures, observed_details(test, observed))


def _trace_of(observed: Observed, rule_id: str) -> dict[str, Any]:
    """One rule's trace as plain data (entries with their sentence), or why it did
    not run for this test."""
    trace = observed.explain(rule_id)
    if isinstance(trace, str):
        return {"rule": rule_id, "fired": False, "ran": False, "note": trace, "trace": []}
    return {"rule": rule_id, "fired": rule_id in observed.fired, "ran": True, "note": "",
            "trace": [dict(e.to_dict(), value=jsonable(e.value), actual=jsonable(e.actual),
                           text=describe(e, observed.names)) for e in trace]}


def observed_details(test: GoldenTest, observed: Observed) -> dict[str, Any]:
    """Expected vs actual for every key of ``expect``, and the traces of the rules
    the test names (fired, not_fired) and of every rule that fired, in that order."""
    actual = {
        "fired": list(observed.fired),
        "exceptions": [str(o.params["code"]) for o in observed.of_kind("raise_exception")],
        "approvals": [str(o.params["approver"]) for o in observed.of_kind("require_approval")],
        "notified": [str(o.params["template"]) for o in observed.of_kind("notify")],
        "invoice_ready": observed.readiness.ready,
        "status": observed.status,
        "blockers": [b.reason for b in observed.readiness.blockers],
    }
    named = [*(test.expect.get("fired") or ()), *(test.expect.get("not_fired") or ()),
             *observed.fired]
    return {"expected": plain(test.expect), "actual": actual,
            "traces": [_trace_of(observed, r) for r in dict.fromkeys(str(x) for x in named)]}


def run_golden_tests(bundle: Bundle, *, validate: Validate, totals: Totalize,
                     engine: EngineName = "durable") -> list[GoldenResult]:
    """Every test of ``bundle`` in order (see ``workorders.golden`` for the wired form).

    Under a checks budget (``definitions.check_budget``) each test starts only while
    time is left: a bundle with thousands of slow tests stops with
    ``CheckBudgetExceeded`` instead of holding the server.
    """
    compiled: Compiled = {}
    results = []
    for test in bundle.tests:
        check_time_left()
        results.append(run_golden_test(bundle, test, validate=validate, totals=totals,
                                       engine=engine, compiled=compiled))
    return results
