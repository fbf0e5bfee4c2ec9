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
from collections.abc import Callable
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table
from sqlalchemy.orm import Session

from workorders.definitions.conditions import Condition, Leaf, Not, Quantifier
from workorders.definitions.model import Bundle
from workorders.platform.actor import Actor
from workorders.platform.config import settings_of
from workorders.platform.models import RuleEvaluation, Submission
from workorders.platform.models.types import utcnow
from workorders.platform.services import outcome_store as store
from workorders.platform.services.audit_heads import insert_at_commit
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.rule_facts import fact_document, latest_finals
from workorders.platform.services.rule_run import Judgement, Report, RuleRun
from workorders.rules import RuleEngineError, describe, evaluate
from workorders.rules.api import CompiledRules
from workorders.rules.bundle_rules import compiled_rules_for, rule_specs
from workorders.rules.errors import TemplateRenderError
from workorders.rules.outcomes import Outcome, OutcomeKind, failure_message, plan_outcomes
from workorders.rules.render import template_context
from workorders.rules.trace import TraceNames

MAX_DEPTH = 3  # rule transitions that trigger rules that transition...
#: a case moved to another version: its ``submit`` rules run again, but only rules
#: that list ``migrate`` send messages (the customer heard about the work already)
MIGRATE = "migrate"
FORM_FACTS = ("form.", "form_id", "submission.")
_EVALUATIONS = cast(Table, RuleEvaluation.__table__)


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


def _fired_on_other_forms(run: RuleRun, compiled: CompiledRules) -> set[str]:
    """The rules that fire on the latest final report of another form of the case.

    A case-wide outcome of a form-reading rule stays open while any form still
    makes the rule fire: signing the protocol must not close the missing
    signature of the unsigned installation report.
    """
    if run.submission is None:
        return set()
    fired: set[str] = set()
    for form_id, other in latest_finals(run.case).items():
        if form_id != run.submission.form_id:
            fired.update(evaluate(compiled, fact_document(run.loaded, run.actor, other)).fired)
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
    run = RuleRun(session, loaded, trigger, actor=actor, submission=submission,
                  previous=previous, report=report or Report(), depth=depth)
    evaluate_and_apply(run)
    return run.report


def evaluate_and_apply(run: RuleRun) -> None:
    """The one step: evaluate the run's rules, store what fired (once), close what no
    longer fires, log the evaluation, then take the transitions rules asked for."""
    bundle, report = run.bundle, run.report
    specs = rule_specs(bundle, run.case_type.id, run.trigger)
    if not specs:
        return
    try:
        compiled = compiled_for(run.loaded, run.trigger)
        evaluation = evaluate(compiled, run.facts, eager=True)
        names = TraceNames(bundle, run.case_type.id)
        traces = {rule: [dict(e.to_dict(), text=describe(e, names))
                         for e in evaluation.traces[rule]]
                  for rule in evaluation.fired}
        outcomes = plan_outcomes(evaluation.fired, bundle, template_context(
            run.facts, bundle, run.case_type.id, links=links_of(run.loaded)))
        unfired = [s.id for s in specs if s.id not in evaluation.fired]
        # only rules with something open can close anything (read once per request)
        closable = store.rules_with_open_outcomes(run.loaded, unfired)
        case_wide = {r for r in closable if reads_the_form(bundle, r)
                     and _scope(run, r) == "case"}
        kept = case_wide & _fired_on_other_forms(run, compiled) if case_wide else set()
    except (RuleEngineError, TemplateRenderError) as exc:
        store.fail_closed(run, "engine", str(exc))
        _log(run, "error")
        return
    for rule in evaluation.fired:
        report.fired.append({"rule": rule, "trigger": run.trigger, "trace": traces[rule]})
    for outcome in outcomes:
        trace = traces.get(outcome.rule, [])
        apply_outcome(run, outcome, Judgement(_scope(run, outcome.rule), trace,
                                              fingerprint(trace)))
    for rule_id in unfired:
        if rule_id in closable and rule_id not in kept:
            store.close_by_rule(run.session, run.loaded, rule_id, _scope(run, rule_id), report)
    _log(run, evaluation.engine)
    for outcome in outcomes:
        if outcome.kind == OutcomeKind.TRANSITION and run.depth < MAX_DEPTH:
            _rule_transition(run, outcome)


def _scope(run: RuleRun, rule_id: str) -> str:
    return scope_of(run.bundle, rule_id, run.trigger, run.submission)


def _notify(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    """A case moved to another version does not message again, unless the rule
    says it runs on ``migrate`` too."""
    if run.trigger != MIGRATE or MIGRATE in _rule_triggers(run.loaded, outcome.rule):
        store.notify(run, outcome, judged)


def _after_the_rest(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    """A transition is taken after every other outcome is stored (``evaluate_and_apply``)."""


def _action_failed(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    run.report.errors.append(failure_message(outcome))
    store.action_failed(run, outcome, judged)


Apply = Callable[[RuleRun, Outcome, Judgement], None]
#: what each kind of outcome does to the case; every kind has its entry (a unit test
#: checks the table against the enum)
APPLY: dict[OutcomeKind, Apply] = {
    OutcomeKind.RAISE_EXCEPTION: store.raise_exception,
    OutcomeKind.REQUIRE_APPROVAL: store.require_approval,
    OutcomeKind.BLOCK_INVOICING: store.block_invoicing,
    OutcomeKind.NOTIFY: _notify,
    OutcomeKind.SET_FIELD: store.set_field,
    OutcomeKind.ASSIGN: store.route,
    OutcomeKind.TRANSITION: _after_the_rest,
    OutcomeKind.ACTION_FAILED: _action_failed,
}


def apply_outcome(run: RuleRun, outcome: Outcome, judged: Judgement) -> None:
    APPLY[OutcomeKind(outcome.kind)](run, outcome, judged)


def _rule_triggers(loaded: LoadedCase, rule_id: str) -> tuple[str, ...]:
    rule = loaded.bundle.rule(rule_id)
    return rule.on if rule is not None else ()


def _rule_transition(run: RuleRun, outcome: Outcome) -> None:
    from workorders.platform.services.transitions import run_transition_rules, system_transition

    moved = system_transition(run.session, run.loaded, outcome.params["id"],
                              f"rule {outcome.rule}")
    if isinstance(moved, str):
        run.report.errors.append(f"rule {outcome.rule}: {moved}")
        return
    run.report.transitions.append(outcome.params["id"])
    run_transition_rules(run.session, None, run.loaded, outcome.params["id"],
                         report=run.report, depth=run.depth + 1)


def _log(run: RuleRun, engine: str) -> None:
    """The evaluation's record, written at commit with the audit events (on
    PostgreSQL in the same statement): nothing reads it back in its transaction."""
    insert_at_commit(run.session, _EVALUATIONS, {
        "tenant_id": run.case.tenant_id, "case_id": run.case.id,
        "submission_id": run.submission.id if run.submission else None,
        "trigger": run.trigger, "engine": engine, "result": run.report.to_dict(),
        "created_at": utcnow()})
