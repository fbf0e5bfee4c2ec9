"""Moving the planned cases, each in its own transaction, as a background task.

``start_migration`` plans at once (a dry run) and stores, with the task, the
version of every migratable case as that plan saw it. The job then moves them
in batches: each case is locked, and skipped (and reported) when it changed
since the plan or no longer plans as migratable, so a case is never moved on
stale facts and never half-moved. Moving one case, in one transaction: its
definition version, state and fields; the ``case.migrated`` event in its audit
chain (who, from and to, the comment); outcomes whose rule is gone close; then
the new version's rules run on trigger ``migrate`` (the ``submit`` rules too,
once per latest report, reconciled like a correction: nothing duplicated, a
decided approval kept while its facts are unchanged).

A worker killed mid-task leaves every case either moved or not (a transaction
per case); its outbox job runs again once its lease expires, or the admin runs
the migration again: cases already moved are simply not selected any more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.definitions.migration_plan import CasePlan
from workorders.errors import ValidationFailed
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import (
    Case,
    CaseException,
    DefinitionVersion,
    ExceptionStatus,
    InvoiceBlock,
    Task,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services import case_migration as cm
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.unit_of_work import transaction

MIGRATE = "migrate"
PROGRESS_EVERY = 25
Progress = Callable[[int, int], None]


def _require_comment(body: Mapping[str, Any]) -> None:
    if not str(body.get("comment") or "").strip():
        raise ValidationFailed("a migration needs a comment", [{
            "path": "/comment", "message": "say why the cases move (it goes in each case's "
                                           "audit trail)"}])


def start_migration(actor: Actor, number: int, body: Mapping[str, Any]) -> Task:
    """Plan now, then queue the move as a background job; the Task shows progress."""
    from workorders.platform.jobs.outbox import enqueue_job

    _require_comment(body)
    migration = cm.prepare(actor.tenant_id, number, body)
    planned = cm.plan_cases(migration, cm.selected_cases(migration))
    report = cm.report_of(migration, planned)
    todo = [[c.case_id, c.case_version] for c in planned if c.plan.migratable]
    with transaction() as session:
        task = Task(tenant_id=actor.tenant_id, kind="migration", created_by=actor.email,
                    total=len(todo), params={"version": number, "body": dict(body),
                                             "cases": todo, "report": report})
        session.add(task)
        session.flush()
        _audit_start(session, actor.tenant_id, number, actor.email, body, report, task.id)
        enqueue_job("definitions.migrate", {"task_id": task.id}, tenant_id=actor.tenant_id,
                    max_attempts=3)
    return task


def _audit_start(session: Session, tenant_id: int, number: int, actor_email: str,
                 body: Mapping[str, Any], report: Mapping[str, Any], task_id: int | None) -> None:
    """A migration is an admin's action on the workspace: the admin history says who
    moved how many cases to which version and why (each case's own chain says the rest).
    A run with nothing to move changes nothing, so it records nothing either."""
    from workorders.platform.database import lock_tenant

    totals = report.get("totals", {})
    if not totals.get("migratable"):
        return
    lock_tenant(tenant_id)  # one audit chain per tenant
    record_event(session, tenant_id=tenant_id, subject_type="definition", subject_id=number,
                 actor=actor_email, action="definition.migration_started",
                 after={"cases": totals.get("migratable", 0),
                        "not_migratable": totals.get("not_migratable", 0), "task": task_id,
                        "comment": str(body.get("comment", "")).strip()},
                 comment=str(body.get("comment", "")).strip() or None)


def apply_migration(tenant_id: int, number: int, body: Mapping[str, Any], actor_email: str,
                    progress: Progress | None = None) -> dict[str, Any]:
    """Plan and move at once, in this process (the CLI): the report with the outcome."""
    _require_comment(body)
    migration = cm.prepare(tenant_id, number, body)
    planned = cm.plan_cases(migration, cm.selected_cases(migration))
    report = cm.report_of(migration, planned)
    todo = [(c.case_id, c.case_version) for c in planned if c.plan.migratable]
    db.session.rollback()
    with transaction() as session:
        _audit_start(session, tenant_id, number, actor_email, body, report, None)
    return with_outcomes(report, move_cases(tenant_id, number, body, todo, actor_email,
                                            progress))


def move_cases(tenant_id: int, number: int, body: Mapping[str, Any],
               todo: list[tuple[int, int]], actor_email: str,
               progress: Progress | None = None) -> dict[int, dict[str, Any]]:
    """Move each planned case in its own transaction; per case id its outcome."""
    outcomes: dict[int, dict[str, Any]] = {}
    migration = cm.prepare(tenant_id, number, body)  # still published, maps still valid
    db.session.rollback()
    for n, (case_id, seen_version) in enumerate(todo, start=1):
        try:
            outcomes[case_id] = _move_one(migration, case_id, seen_version, actor_email)
        except Exception as exc:  # noqa: BLE001 - one case's failure is reported, not fatal
            db.session.rollback()
            outcomes[case_id] = {"outcome": "failed", "reason": f"{type(exc).__name__}: {exc}"}
        if progress is not None and (n % PROGRESS_EVERY == 0 or n == len(todo)):
            progress(n, len(todo))
    return outcomes


def with_outcomes(report: dict[str, Any], outcomes: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    """The dry-run report plus what happened to each planned case."""
    cases = [{**c, **outcomes.get(c["case_id"], {"outcome": "not migratable"}
                                  if not c["migratable"] else {})} for c in report["cases"]]
    migrated = [i for i, o in outcomes.items() if o["outcome"] == "migrated"]
    skipped = [{"case_id": i, "reason": o["reason"]} for i, o in outcomes.items()
               if o["outcome"] != "migrated"]
    return {**report, "cases": cases, "migrated": migrated, "skipped": skipped,
            "totals": {**report["totals"], "migrated": len(migrated), "skipped": len(skipped)}}


def _move_one(migration: cm.Migration, case_id: int, seen_version: int,
              actor_email: str) -> dict[str, Any]:
    with transaction() as session:
        case = session.execute(select(Case).where(
            Case.id == case_id, Case.tenant_id == migration.tenant_id)
            .with_for_update(of=Case)).scalar_one_or_none()
        if case is None:
            return {"outcome": "skipped", "reason": "the case is gone"}
        if case.definition_version_id == migration.target_id:
            return {"outcome": "migrated", "reason": f"already on version {migration.number}"}
        if case.version != seen_version:
            return {"outcome": "skipped", "reason": "the case changed after the dry run "
                                                    f"(version {seen_version} → {case.version});"
                                                    " run the migration again"}
        facts = cm.case_facts([case])[case.id]
        plan = cm.plan_one(migration, case, facts)
        if not plan.migratable or plan.to_state is None:
            return {"outcome": "skipped", "reason": "not migratable any more: "
                                                    + "; ".join(plan.problems)}
        gone = any(o.rule is not None and migration.bundle.rule(o.rule) is None
                   for o in facts.open_outcomes)
        _apply(session, migration, case, plan, actor_email, close_gone=gone)
    return {"outcome": "migrated"}


def _apply(session: Session, migration: cm.Migration, case: Case, plan: CasePlan,
           actor_email: str, *, close_gone: bool) -> None:
    assert plan.to_state is not None  # a migratable plan has a state
    to_state, fields = plan.to_state, dict(plan.fields)
    old_bundle, old_number = bundle_of(case.definition), case.definition.number
    old_type = old_bundle.case_type(case.case_type)
    new_type = migration.bundle.case_type(case.case_type)
    assert old_type is not None and new_type is not None  # the plan checked both
    before = {"definition_version": old_number, "status": case.status,
              "state": _label(old_type, case.status)}
    after = {"definition_version": migration.number, "status": to_state,
             "state": _label(new_type, to_state)}
    if fields != (case.fields or {}):
        before["fields"], after["fields"] = case.fields or {}, fields
    now = utcnow()
    case.definition = session.get(DefinitionVersion, migration.target_id)  # type: ignore[assignment]
    if to_state != case.status:
        case.status, case.status_changed_at = to_state, now
    case.fields = fields
    case.version += 1
    case.updated_at = now
    record_event(session, tenant_id=case.tenant_id, subject_type="case", subject_id=case.id,
                 actor=actor_email, action="case.migrated", before=before, after=after,
                 comment=migration.comment or None)
    session.flush()
    rerun_rules(session, LoadedCase(case, migration.bundle, new_type), close_gone=close_gone)


def _label(case_type: Any, state_id: str) -> str:
    state = case_type.lifecycle.state(state_id)
    return state.label if state else state_id


def rerun_rules(session: Session, loaded: LoadedCase, *, close_gone: bool = True) -> None:
    """Close what rules the new version no longer has raised (``close_gone``: the plan
    saw some), then judge the case by the new rules: once per latest final report
    (or once without one)."""
    from workorders.platform.services.rule_facts import latest_finals
    from workorders.platform.services.rules_runtime import Report, run_rules

    report = Report()
    if close_gone:
        _close_gone(session, loaded, report)
    order = {f: i for i, f in enumerate(loaded.case_type.forms)}
    finals = sorted(latest_finals(loaded.case).values(),
                    key=lambda s: (order.get(s.form_id, len(order)), s.form_id))
    if not finals:
        run_rules(session, None, loaded, MIGRATE, report=report)
    for submission in finals:
        run_rules(session, None, loaded, MIGRATE, submission=submission, report=report)


def _close_gone(session: Session, loaded: LoadedCase, report: Any) -> None:
    from workorders.platform.services import outcome_store as store

    case_id = loaded.case.id
    rows = list(session.execute(select(CaseException.rule_id, CaseException.scope).where(
        CaseException.case_id == case_id, CaseException.status == ExceptionStatus.OPEN.value)))
    rows += session.execute(select(InvoiceBlock.rule_id, InvoiceBlock.scope).where(
        InvoiceBlock.case_id == case_id, InvoiceBlock.status == "active")).all()
    gone = {(r.rule_id, r.scope) for r in rows
            if r.rule_id is not None and loaded.bundle.rule(r.rule_id) is None}
    for rule_id, scope in sorted(gone):
        store.close_by_rule(session, loaded, rule_id, scope, report)


def run_migration_task(ctx: Any) -> None:
    """The job: move the task's planned cases, writing progress as it goes."""
    from workorders.platform.services.background_tasks import TaskRun, run_task

    def move(run: TaskRun, progress: Progress) -> tuple[dict[str, Any], int]:
        todo = [(int(i), int(v)) for i, v in run.params["cases"]]
        outcomes = move_cases(run.tenant_id, int(run.params["version"]), run.params["body"],
                              todo, run.created_by, progress=progress)
        return with_outcomes(run.params["report"], outcomes), len(todo)

    run_task(ctx, "migration", move)
