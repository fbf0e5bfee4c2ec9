"""Simulate before publish: replay recent real cases under another version.

Nothing is written. For each recent case, the latest revision of each of its
forms is evaluated (trigger ``submit``) under the case's pinned version and
under the candidate version; a case is reported when the rules that fire or
its readiness would change. The pure-Python evaluator is used (the same
semantics as durable-rules, no rulesets to create for a draft), which also
makes long histories fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from workorders.definitions.check_budget import check_time_left
from workorders.definitions.model import Bundle, CaseType
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import Case, DefinitionVersion, Submission, Task
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of, checks_budget, get_version
from workorders.platform.services.readiness import partial_document
from workorders.platform.services.rule_facts import fact_document
from workorders.rules import evaluate
from workorders.rules.bundle_rules import compiled_rules_for
from workorders.rules.outcomes import Outcome, plan_outcomes
from workorders.rules.readiness import Blocker, data_blocker, invoice_readiness
from workorders.rules.render import PLACEHOLDER_LINKS, template_context

MAX_CASES = 2000


@dataclass(frozen=True)
class Verdict:
    fired: tuple[str, ...]
    ready: bool
    blockers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"fired": list(self.fired), "invoice_ready": self.ready,
                "blockers": list(self.blockers)}


def _latest_revisions(case_id: int) -> list[Submission]:
    rows = db.session.execute(select(Submission).where(Submission.case_id == case_id)
                              .order_by(Submission.form_id, Submission.revision)).scalars()
    return list({s.form_id: s for s in rows}.values())


def verdict(loaded: LoadedCase, bundle: Bundle, case_type: CaseType, content_hash: str,
            label: str) -> Verdict:
    """What ``bundle``'s rules make of the case's current reports."""
    view = LoadedCase(loaded.case, bundle, case_type)
    fired: list[str] = []
    outcomes: list[Outcome] = []
    for submission in _latest_revisions(loaded.case.id) or [None]:  # type: ignore[list-item]
        trigger = "submit"
        compiled = compiled_rules_for(bundle, content_hash, f"sim{loaded.case.tenant_id}",
                                      case_type.id, trigger, "python", version=label)
        document = fact_document(view, None, submission)
        result = evaluate(compiled, document)
        fired += [r for r in result.fired if r not in fired]
        outcomes += _once_per_case(bundle, outcomes, plan_outcomes(
            result.fired, bundle, template_context(document, bundle, case_type.id,
                                                   links=PLACEHOLDER_LINKS)))
    readiness = invoice_readiness(case_type, loaded.case.status, outcomes,
                                  extra=_data_blockers(view))
    return Verdict(tuple(fired), readiness.ready, tuple(b.reason for b in readiness.blockers))


def _once_per_case(bundle: Bundle, kept: list[Outcome], planned: list[Outcome]) -> list[Outcome]:
    """What ``planned`` adds to ``kept``: a rule has one outcome per case, as the
    platform stores it, unless it is written ``per: form`` (rules_runtime.scope_of)."""
    seen = {(o.rule, o.position) for o in kept}
    per_form = {r.id for r in bundle.rules if r.per == "form"}
    return [o for o in planned if (o.rule, o.position) not in seen or o.rule in per_form]


def _data_blockers(view: LoadedCase) -> list[Blocker]:
    from workorders.connectors import missing_requirements

    doc = partial_document(view)
    return [data_blocker(r.message, c.id)
            for c in view.bundle.connectors
            for r in missing_requirements(c.format, c.options, doc)]


def simulate_version(actor: Actor, number: int, limit: int = 200,
                     progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The cases whose outcomes version ``number`` would change. It runs the version's
    own templates on every case, so it stops past the checks budget (one budget per
    SYNC_LIMIT cases) with CheckBudgetExceeded instead of holding a server thread."""
    candidate = get_version(actor.tenant_id, number)
    new_bundle = bundle_of(candidate)
    cases = list(db.session.execute(select(Case).where(Case.tenant_id == actor.tenant_id)
                                    .order_by(Case.updated_at.desc(), Case.id.desc())
                                    .limit(min(limit, MAX_CASES))).scalars())
    with checks_budget(scale=max(1.0, len(cases) / SYNC_LIMIT)):
        changed = _changed_cases(cases, new_bundle, candidate, number, progress)
    return {"version": number, "cases_checked": len(cases), "changed": changed}


def _changed_cases(cases: list[Case], new_bundle: Bundle, candidate: DefinitionVersion, number: int,
                   progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    changed = []
    for n, case in enumerate(cases, start=1):
        check_time_left()
        old_bundle = bundle_of(case.definition)
        old_type = old_bundle.case_type(case.case_type)
        new_type = new_bundle.case_type(case.case_type)
        if old_type is None:
            continue
        loaded = LoadedCase(case, old_bundle, old_type)
        before = verdict(loaded, old_bundle, old_type, case.definition.content_hash,
                         f"v{case.definition.number}")
        after = (verdict(loaded, new_bundle, new_type, candidate.content_hash, f"v{number}")
                 if new_type is not None else None)
        if after is None or before != after:
            changed.append({"case_id": case.id, "number": case.number,
                            "before": before.to_dict(),
                            "after": after.to_dict() if after else
                            {"error": f"version {number} has no case type {case.case_type}"}})
        if progress is not None:
            progress(n, len(cases))
    return changed


SYNC_LIMIT = 200  # above this many cases a simulation runs as a background task
PROGRESS_EVERY = 10


def start_simulation(actor: Actor, number: int, limit: int) -> Task:
    """Queue a simulation as a background job; its Task row shows the progress."""
    from workorders.platform.jobs.outbox import enqueue_job
    from workorders.platform.services.unit_of_work import transaction

    get_version(actor.tenant_id, number)
    with transaction() as session:
        task = Task(tenant_id=actor.tenant_id, kind="simulation", created_by=actor.email,
                    params={"version": number, "limit": min(limit, MAX_CASES)})
        session.add(task)
        session.flush()
        enqueue_job("definitions.simulate", {"task_id": task.id}, tenant_id=actor.tenant_id,
                    max_attempts=1)
    return task


def run_simulation_task(ctx: Any) -> None:
    """The job: run the simulation, writing progress every few cases."""
    from workorders.platform.auth import actor_for
    from workorders.platform.services.accounts import member_by_email
    from workorders.platform.services.background_tasks import Progress, TaskRun, run_task

    def simulate(run: TaskRun, progress: Progress) -> tuple[dict[str, Any], int]:
        actor = actor_for(member_by_email(run.tenant_id, run.created_by))
        result = simulate_version(actor, int(run.params["version"]), int(run.params["limit"]),
                                  progress=lambda n, total: (
                                      progress(n, total)
                                      if n % PROGRESS_EVERY == 0 or n == total else None))
        return result, int(result["cases_checked"])

    run_task(ctx, "simulation", simulate)
