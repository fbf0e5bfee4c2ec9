"""Rules: compile a bundle's rule conditions and evaluate fact documents.

Pure core (no web, database or queue). durable-rules decides which rules fire
(``engine="durable"``, the default) or the pure-Python evaluator does
(``engine="python"``, e.g. where durable-rules cannot load); both share one
semantics (docs/rules-engine.md) and the Python evaluator writes the traces.
Only ``workorders.rules.engine`` imports durable-rules, and only when the
durable engine is chosen.

Around the engines: the fact document (``facts_doc``), the rules of a bundle per
case type and trigger (``bundle_rules``), the rendered outcomes (``outcomes``,
``render``), invoice readiness (``readiness``), rule transitions
(``transitions``) and golden tests (``golden``; ``workorders.golden`` wires in
the form validation, which this package may not import).
"""

from workorders.rules.api import CompiledRules, compile_rules, content_hash, evaluate
from workorders.rules.bundle_rules import compiled_rules_for, rule_specs
from workorders.rules.errors import RuleCompileError, RuleEngineError, TemplateRenderError
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.golden import FormCheck, GoldenResult, run_golden_tests
from workorders.rules.model import Evaluation, RuleSpec, TraceEntry
from workorders.rules.outcomes import ACTION_FAILED, Outcome, plan_outcomes
from workorders.rules.readiness import (
    BLOCKING_SEVERITIES,
    Blocker,
    Readiness,
    invoice_readiness,
    outcome_blockers,
)
from workorders.rules.render import template_context
from workorders.rules.trace import describe
from workorders.rules.transitions import status_after

__all__ = [
    "ACTION_FAILED", "BLOCKING_SEVERITIES", "Blocker", "CompiledRules", "Evaluation",
    "FormCheck", "GoldenResult", "Outcome", "Readiness", "RuleCompileError", "RuleEngineError",
    "RuleSpec", "TemplateRenderError", "TraceEntry", "build_fact_document",
    "compile_rules", "compiled_rules_for", "content_hash", "describe", "evaluate",
    "invoice_readiness", "outcome_blockers", "plan_outcomes", "rule_specs", "run_golden_tests",
    "status_after", "template_context",
]
