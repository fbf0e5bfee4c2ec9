"""Running a case's rules on a trigger and applying what they ask for.

Called inside the transaction of the change that triggered it (a submission,
a correction, a transition), so the change and its consequences commit or roll
back together. durable-rules decides what fires (or the Python evaluator, by
setting); any engine error fails closed: a critical exception is opened on the
case, which blocks invoicing, and the submission is kept.

Reconciliation: the rules evaluated on a trigger are judged against the
outcomes of the same scope (the case, or for a ``per: form`` rule the submitted
form; see ``scope_of``). An open outcome whose rule no longer fires anywhere on
the case is closed as ``resolved_by_rule``; one that still fires is not
duplicated; a person's decision stands while the values the rule saw (its
fingerprint) are unchanged. A draft stores only what rules written
``on: [draft]`` ask for; what submitting it would raise is a preview
(``rule_preview``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from workorders.definitions.conditions import Condition, Leaf, Not, Quantifier
from workorders.definitions.model import Bundle
from workorders.platform.actor import Actor
from workorders.platform.config import settings_of
from workorders.platform.models import RuleEvaluation, Submission
from workorders.platform.services import outcome_store as store
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.rule_facts import fact_document, latest_finals
from workorders.rules import RuleEngineError, describe, evaluate
from workorders.rules.api import CompiledRules
from workorders.rules.bundle_rules import compiled_rules_for, rule_specs
from workorders.rules.errors import TemplateRenderError
from workorders.rules.outcomes import ACTION_FAILED, Outcome, failure_message, plan_outcomes
from workorders.rules.render import template_context
from workorders.rules.trace import TraceNames

MAX_DEPTH = 3  # rule transitions that trigger rules that transition...
#: a case moved to another version: its ``submit`` rules run again, but only rules
#: that list ``migrate`` send messages (the customer heard about the work already)
MIGRATE = "migrate"
FORM_FACTS = ("form.", "form_id", "submission.")


@dataclass
class Report:
    fired: list[dict[str, Any]] = field(default_factory=list)
    exceptions_opened: list[dict[str, Any]] = field(default_factory=list)
    exceptions_closed: list[dict[str, Any]] = field(default_factory=list)
    approvals_requested: list[dict[str, Any]] = field(default_factory=list)
    approvals_closed: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) for k, v in self.__dict__.items()}


def fingerprint(trace: list[dict[str, Any]]) -> str:
    """What the rule saw: its facts and their actual values (not the verdicts)."""
    seen = [[e["fact"], e["actual"]] for e in trace]
    return hashlib.sha256(json.dumps(seen, sort_keys=True, default=str).encode()).hexdigest()


def _reads_the_form(condition: Condition | None) -> bool:
    if condition is None:
        return False
    if isinstance(condition, Leaf):
        return condition.fact.startswith(FORM_FACTS)
    if isinstance(condition, Quantifier):
        return condition.fact.startswith(FORM_FACTS)
    if isinstance(condition, Not):
        return _reads_the_form(condition.item)
    return any(_reads_the_form(c) for c in condition.items)


def reads_the_form(bundle: Bundle, rule_id: str) -> bool:
    rule = bundle.rule(rule_id)
    return rule is not None and _reads_the_form(rule.when)


def scope_of(bundle: Bundle, rule_id: str, trigger: str, submission: Submission | None) -> str:
    """Which evaluations may reconcile this rule's outcomes.

    One rule, one outcome per case (``case``), whichever form or transition set
    it off: "why not ready" names a missing signature once, not once per form.
    Only a rule written ``per: form`` that reads the submitted form judges each
    form apart (``form:<id>``), so one form's report cannot close what another
    form raised.
    """
    rule = bundle.rule(rule_id)
    if rule is None or rule.per != "form" or not _reads_the_form(rule.when):
        return "case"
    return f"form:{submission.form_id}" if submission is not None else trigger


def _fired_on_other_forms(loaded: LoadedCase, actor: Actor | None, compiled: CompiledRules,
                          submission: Submission | None) -> set[str]:
    """The rules that fire on the latest final report of another form of the case.

    A case-wide outcome of a form-reading rule stays open while any form still
    makes the rule fire: signing the protocol must not close the missing
    signature of the unsigned installation report.
    """
    if submission is None:
        return set()
    fired: set[str] = set()
    for form_id, other in latest_finals(loaded.case.id).items():
        if form_id != submission.form_id:
            fired.update(evaluate(compiled, fact_document(loaded, actor, other)).fired)
    return fired


def compiled_for(loaded: LoadedCase, trigger: str) -> CompiledRules:
    case = loaded.case
    return compiled_rules_for(loaded.bundle, case.definition.content_hash, str(case.tenant_id),
                              loaded.case_type.id, trigger, engine_name(),  # type: ignore[arg-type]
                              version=str(case.definition.number))


def engine_name() -> str:
    return str(settings_of(current_app).rules_engine)


def links_of(loaded: LoadedCase) -> dict[str, str]:
    from workorders.platform.services.customer_links import external_url, status_link

    return {"case": external_url("web.case_page", case_id=loaded.case.id),
            "status_page": status_link(loaded.case)}


def run_rules(session: Session, actor: Actor | None, loaded: LoadedCase, trigger: str, *,
              submission: Submission | None = None, report: Report | None = None,
              depth: int = 0, previous: dict[str, Any] | None = None) -> Report:
    """``previous`` (a reschedule only): ``rule_facts.case_dict`` of the case before
    the move, what ``previous.*`` reads."""
    report = report or Report()
    bundle = loaded.bundle
    specs = rule_specs(bundle, loaded.case_type.id, trigger)
    if not specs:
        return report
    document = fact_document(loaded, actor, submission, previous)
    try:
        compiled = compiled_for(loaded, trigger)
        evaluation = evaluate(compiled, document, eager=True)
        names = TraceNames(bundle, loaded.case_type.id)
        traces = {rule: [dict(e.to_dict(), text=describe(e, names))
                           for e in evaluation.traces[rule]]
                  for rule in evaluation.fired}
        outcomes = plan_outcomes(evaluation.fired, bundle, template_context(
            document, bundle, loaded.case_type.id, links=links_of(loaded)))
        unfired = [s.id for s in specs if s.id not in evaluation.fired]
        # only rules with something open can close anything (one query, not three per rule)
        closable = store.rules_with_open_outcomes(session, loaded.case.id, unfired)
        case_wide = {r for r in closable if reads_the_form(bundle, r)
                     and scope_of(bundle, r, trigger, submission) == "case"}
        kept = case_wide & _fired_on_other_forms(loaded, actor, compiled, submission) \
            if case_wide else set()
    except (RuleEngineError, TemplateRenderError) as exc:
        store.fail_closed(session, loaded, trigger, "engine", str(exc), report)
        _log(session, loaded, trigger, submission, "error", report)
        return report
    for rule in evaluation.fired:
        report.fired.append({"rule": rule, "trigger": trigger, "trace": traces[rule]})
    for outcome in outcomes:
        trace = traces.get(outcome.rule, [])
        _apply(session, actor, loaded, trigger, scope_of(bundle, outcome.rule, trigger, submission),
               outcome, trace, fingerprint(trace), report)
    for rule_id in unfired:
        if rule_id in closable and rule_id not in kept:
            store.close_by_rule(session, loaded, rule_id,
                                scope_of(bundle, rule_id, trigger, submission), report)
    _log(session, loaded, trigger, submission, evaluation.engine, report)
    for outcome in outcomes:
        if outcome.kind == "transition" and depth < MAX_DEPTH:
            _rule_transition(session, loaded, outcome, report, depth)
    return report


def _apply(session: Session, actor: Actor | None, loaded: LoadedCase, trigger: str,
           scope: str, outcome: Outcome, trace: list[dict[str, Any]], fp: str,
           report: Report) -> None:
    kind = outcome.kind
    if kind == "raise_exception":
        store.raise_exception(session, loaded, outcome, trigger, scope, trace, fp, report)
    elif kind == "require_approval":
        store.require_approval(session, loaded, outcome, trigger, scope, trace, fp, report)
    elif kind == "block_invoicing":
        store.block_invoicing(session, loaded, outcome, scope, trace, fp, report)
    elif kind == "notify":
        if trigger != MIGRATE or MIGRATE in _rule_triggers(loaded, outcome.rule):
            store.notify(session, loaded, outcome, trigger, fp, actor)
    elif kind == "set_field":
        store.set_field(session, loaded, outcome, report)
    elif kind == "assign":
        store.route(session, loaded, outcome, report)
    elif kind == ACTION_FAILED:
        report.errors.append(failure_message(outcome))
        store.action_failed(session, loaded, outcome, trigger, scope, trace, fp, report)


def _rule_triggers(loaded: LoadedCase, rule_id: str) -> tuple[str, ...]:
    rule = loaded.bundle.rule(rule_id)
    return rule.on if rule is not None else ()


def _rule_transition(session: Session, loaded: LoadedCase, outcome: Outcome, report: Report,
                     depth: int) -> None:
    from workorders.platform.services.transitions import run_transition_rules, system_transition

    moved = system_transition(session, loaded, outcome.params["id"], f"rule {outcome.rule}")
    if isinstance(moved, str):
        report.errors.append(f"rule {outcome.rule}: {moved}")
        return
    report.transitions.append(outcome.params["id"])
    run_transition_rules(session, None, loaded, outcome.params["id"], report=report,
                         depth=depth + 1)


def _log(session: Session, loaded: LoadedCase, trigger: str, submission: Submission | None,
         engine: str, report: Report) -> None:
    session.add(RuleEvaluation(tenant_id=loaded.case.tenant_id, case_id=loaded.case.id,
                               submission_id=submission.id if submission else None,
                               trigger=trigger, engine=engine, result=report.to_dict()))
