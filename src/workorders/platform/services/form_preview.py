"""Try a form of any version (a draft too) without a case and without storing.

The editor shows each form as technicians get it and lets the admin type into
it. What was typed is checked by the real validator (``forms``), priced by the
real totals, and run through the version's ``submit`` rules on the pure-Python
evaluator with a made-up case of the form's case type, exactly as a golden test
is (no durable-rules ruleset is created for a draft, nothing is written). The
answer says what a technician would be told and which rules would fire on a
final submission, each with its trace in the case page's words.

A report with only missing fields is still evaluated (as what it is now: the
rules see what a final report with these values would show), and says so; one
with malformed values is not, because the rules would see nonsense.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workorders.definitions.model import Bundle, CaseType, Form
from workorders.errors import NotFound
from workorders.forms import compute_totals, validate_submission
from workorders.platform.models import DefinitionVersion
from workorders.platform.services.definitions import bundle_of, checks_budget, get_version
from workorders.rules import RuleEngineError, TemplateRenderError, compile_rules, describe, evaluate
from workorders.rules.bundle_rules import rule_specs
from workorders.rules.facts_doc import build_fact_document
from workorders.rules.outcomes import plan_outcomes
from workorders.rules.readiness import outcome_blockers
from workorders.rules.render import PLACEHOLDER_LINKS, template_context
from workorders.rules.trace import TraceNames, jsonable
from workorders.rules.words import rules_in_words

SUBMIT = "submit"
#: the made-up customer of a preview: complete, so connector-style checks pass
PREVIEW_CUSTOMER = {"name": "Example Customer AB", "email": "customer@example.test",
                    "phone": "+46 70 000 00 00", "reference": "Preview"}


@dataclass(frozen=True)
class FormTarget:
    """A form of a version, and the case type a made-up case for it has."""

    version: DefinitionVersion
    bundle: Bundle
    form: Form
    case_type: CaseType


@dataclass
class FormTry:
    """What "try it" answers: ``errors`` as the technician sees them (path, message),
    ``missing`` (what a final report still lacks), and, when the values make sense,
    the totals and the rules that would fire with their traces."""

    errors: list[dict[str, str]]
    missing: list[dict[str, str]]
    evaluated: bool
    totals: dict[str, str] = field(default_factory=dict)
    fired: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    case: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "errors": self.errors, "missing": self.missing,
                "evaluated": self.evaluated, "totals": self.totals, "fired": self.fired,
                "outcomes": self.outcomes, "blockers": self.blockers,
                "problems": self.problems, "case": self.case, "stored": False}


def form_target(tenant_id: int, number: int, form_id: str) -> FormTarget:
    """Version ``number``'s form ``form_id`` (404 when the version has no such form
    or no case type uses it)."""
    version = get_version(tenant_id, number)
    bundle = bundle_of(version)
    form = bundle.form(form_id)
    case_type = next((c for c in bundle.case_types if form_id in c.forms), None)
    if form is None or case_type is None:
        raise NotFound(f"version {number} has no form '{form_id}'")
    return FormTarget(version, bundle, form, case_type)


def preview_status(case_type: CaseType, form_id: str) -> str:
    """The state a technician usually fills the form in: where a transition that
    needs it leaves from, else the first state the assignee owns, else the start."""
    lifecycle = case_type.lifecycle
    for t in lifecycle.transitions:
        if form_id in t.requires_forms and t.from_states:
            return t.from_states[0]
    owned = next((s.id for s in lifecycle.states if s.owner == "assignee"), None)
    return owned or lifecycle.initial


def preview_case(target: FormTarget, assignee: str | None) -> dict[str, Any]:
    """The made-up case a preview runs on (the golden tests' case, for one form)."""
    case_type = target.case_type
    fields = {f.id: f.default for f in case_type.fields if f.default is not None}
    return {"type": case_type.id, "status": preview_status(case_type, target.form.id),
            "number": f"{case_type.number_prefix}-PREVIEW-00001", "fields": fields,
            "customer": dict(PREVIEW_CUSTOMER), "site": {"name": "Example site"},
            "assignee": {"email": assignee, "name": "Preview technician"} if assignee else None}


def _paths(problems: Any) -> list[dict[str, str]]:
    return [{"path": p.path, "message": p.message} for p in problems]


def try_form(target: FormTarget, data: Mapping[str, Any], *,
             assignee: str | None = None) -> FormTry:
    """Check ``data`` as a final report of ``target.form`` and evaluate the rules a
    final submission would run; nothing is stored."""
    draft = validate_submission(target.form, target.bundle, dict(data), draft=True)
    final = validate_submission(target.form, target.bundle, dict(data), draft=False)
    missing = [e for e in _paths(final.errors) if e not in _paths(draft.errors)]
    result = FormTry(errors=_paths(draft.errors), missing=missing, evaluated=False)
    case = preview_case(target, assignee)
    result.case = {"number": case["number"], "status": case["status"],
                   "case_type": target.case_type.id}
    if draft.errors:
        return result
    with checks_budget():
        _evaluate(target, case, draft.cleaned, result)
    return result


def _evaluate(target: FormTarget, case: dict[str, Any], cleaned: Mapping[str, Any],
              result: FormTry) -> None:
    bundle, case_type = target.bundle, target.case_type
    totals = compute_totals([(target.form, cleaned)], bundle).facts()
    result.totals = {name: str(value) for name, value in totals.items()}
    document = build_fact_document(case=case, form_id=target.form.id, form_data=cleaned,
                                   totals=totals, submission_kind="final",
                                   actor={"role": "technician",
                                          "email": (case.get("assignee") or {}).get("email")})
    specs = rule_specs(bundle, case_type.id, SUBMIT)
    try:
        compiled = compile_rules(f"preview/{case_type.id}/{SUBMIT}", specs, "python",
                                 keep=False)
        evaluation = evaluate(compiled, document, eager=True)
        outcomes = plan_outcomes(evaluation.fired, bundle, template_context(
            document, bundle, case_type.id, links=PLACEHOLDER_LINKS))
    except (RuleEngineError, TemplateRenderError) as exc:
        result.problems.append(f"the rules could not be evaluated: {exc}")
        result.evaluated = True
        return
    sentences = {w.id: w.sentence for w in rules_in_words(bundle, evaluation.fired)}
    names = TraceNames(bundle, case_type.id)
    result.fired = [{"rule": rule, "sentence": sentences.get(rule, rule),
                     "trace": [dict(e.to_dict(), value=jsonable(e.value),
                                    actual=jsonable(e.actual), text=describe(e, names))
                               for e in evaluation.traces[rule]]}
                    for rule in evaluation.fired]
    result.outcomes = [o.to_dict() for o in outcomes]
    result.blockers = [b.reason for b in outcome_blockers(outcomes)]
    result.evaluated = True
