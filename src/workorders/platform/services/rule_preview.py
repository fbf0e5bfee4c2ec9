"""What submitting a draft would raise, for the technician filling it in.

A draft is work in progress: its rules are evaluated so the form can say "when
you submit, this needs the coordinator's approval", but nothing is stored, so
coordinators never see exceptions or approvals for a report nobody sent. Rules
that must act on drafts say ``on: [draft]`` and run through ``run_rules``.
"""

from __future__ import annotations

from typing import Any

from workorders.platform.actor import Actor
from workorders.platform.models import Submission
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.rule_facts import fact_document
from workorders.platform.services.rules_runtime import compiled_for, links_of
from workorders.rules import RuleEngineError, describe, evaluate
from workorders.rules.bundle_rules import rule_specs
from workorders.rules.errors import TemplateRenderError
from workorders.rules.outcomes import ACTION_FAILED, plan_outcomes
from workorders.rules.readiness import outcome_blockers
from workorders.rules.render import template_context
from workorders.rules.trace import TraceNames

#: the outcomes that would be stored on the case (and may block its invoice)
PREVIEWED = ("raise_exception", "require_approval", "block_invoicing", ACTION_FAILED)
SUBMIT = "submit"


def preview_rules(actor: Actor, loaded: LoadedCase, draft: Submission) -> dict[str, Any]:
    """``{fired: [{rule, trace}], outcomes: [Outcome.to_dict()], blockers: [...],
    errors: [...]}``: the submit rules over the draft's data, planned but not
    applied; ``blockers`` says what would block the invoice, in readiness's words."""
    empty: dict[str, Any] = {"fired": [], "outcomes": [], "blockers": [], "errors": []}
    bundle = loaded.bundle
    if not rule_specs(bundle, loaded.case_type.id, SUBMIT):
        return empty
    document = fact_document(loaded, actor, draft)
    try:
        evaluation = evaluate(compiled_for(loaded, SUBMIT), document, eager=True)
        outcomes = plan_outcomes(evaluation.fired, bundle, template_context(
            document, bundle, loaded.case_type.id, links=links_of(loaded)))
    except (RuleEngineError, TemplateRenderError) as exc:
        return {**empty, "errors": [f"the rules could not be evaluated: {exc}"]}
    names = TraceNames(bundle, loaded.case_type.id)
    return {"fired": [{"rule": rule, "trace": [dict(e.to_dict(), text=describe(e, names))
                                               for e in evaluation.traces[rule]]}
                      for rule in evaluation.fired],
            "outcomes": [o.to_dict() for o in outcomes if o.kind in PREVIEWED],
            "blockers": [b.reason for b in outcome_blockers(outcomes)], "errors": []}
