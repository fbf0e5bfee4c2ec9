"""Moving open cases to the published definition version, from the admin workspace.

One page: choose which older versions (and case types) to move, map each state
their open cases are in to a state of the new version (selects, the same id
preselected), map or drop the case fields the new version lacks, say why, then
"Dry run" (the report, nothing written) or "Move the cases" (a background
task, then its progress and result on a page of its own).

Both buttons call the services the API calls (``case_migration.dry_run`` and
``case_migration_apply.start_migration``) with the body the API takes, so the
page refuses exactly what the API refuses, in the same sentences, shown next to
the select or box they concern with everything typed kept. Admins only; another
tenant's version or task answers 404 like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import DefinitionVersion, Task
from workorders.platform.permissions import Action, require
from workorders.platform.services.case_migration import dry_run, prepare
from workorders.platform.services.case_migration_apply import start_migration
from workorders.platform.services.definitions import get_version
from workorders.platform.services.migration_choices import (
    Choices,
    migration_choices,
    state_labels,
)
from workorders.platform.web import web
from workorders.platform.web.lookups import names_by_email

#: the field select's value for "drop the value" (a field id cannot start with "_")
DROP = "_drop"
#: seconds between refreshes of the progress page while the task runs
POLL_SECONDS = 2
OUTCOMES = ("migrated", "skipped", "failed", "not migratable")
#: cases listed per table: a run over thousands of cases stays a page a browser can show
#: (the API's report and the CLI list them all); the ones that cannot move come first
SHOWN = 200


class MigrateForm(FlaskForm):
    """Only the CSRF token: the selects and boxes depend on the versions, so they are
    read from the request and checked by the service."""


@dataclass
class Typed:
    """What the admin chose, to show the form again as it was sent."""

    versions: set[str] = field(default_factory=set)
    case_types: set[str] = field(default_factory=set)
    states: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    comment: str = ""

    @classmethod
    def defaults(cls, choices: Choices) -> Typed:
        return cls(versions={str(v.number) for v in choices.versions},
                   states={s.id: s.default for s in choices.states},
                   fields={f.id: "" for f in choices.fields})


@dataclass
class Refusal:
    """Why the service (or the form) refused, placed next to what it concerns."""

    message: str
    states: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)
    case_types: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def _refusal(exc: ValidationFailed) -> Refusal:
    out = Refusal(exc.message)
    for error in exc.errors:
        parts = str(error.get("path", "")).strip("/").split("/")
        message = str(error.get("message", ""))
        if parts[0] == "state_map" and len(parts) > 1:
            out.states.setdefault(parts[1], []).append(message)
        elif parts[0] == "field_map" and len(parts) > 1:
            out.fields.setdefault(parts[1], []).append(message)
        elif parts[0] == "from_versions":
            out.versions.append(message)
        elif parts[0] == "case_types":
            out.case_types.append(message)
        elif parts[0] == "comment":
            out.comment.append(message)
        else:
            out.other.append(message)
    return out


def _read_form() -> tuple[dict[str, Any], Typed]:
    """The API's body from the posted form, and what was typed; a choice the form
    cannot even express (no version ticked, a version that is not a number) is a
    ValidationFailed in the same shape as the service's."""
    form = request.form
    typed = Typed(versions=set(form.getlist("from_version")),
                  case_types=set(form.getlist("case_type")),
                  states={k.removeprefix("state__"): v for k, v in form.items()
                          if k.startswith("state__")},
                  fields={k.removeprefix("field__"): v for k, v in form.items()
                          if k.startswith("field__")},
                  comment=form.get("comment", ""))
    bad = sorted(v for v in typed.versions if not v.isdigit() or len(v) > 9)
    if bad:
        raise _Unsendable(typed, f"“{bad[0][:40]}” is not a version number")
    if not typed.versions:
        raise _Unsendable(typed, "tick at least one version to move cases from")
    body: dict[str, Any] = {"from_versions": sorted(int(v) for v in typed.versions),
                            "state_map": {old: new for old, new in typed.states.items()
                                          if new and new != old},
                            "field_map": {old: (None if new == DROP else new)
                                          for old, new in typed.fields.items() if new},
                            "comment": typed.comment}
    if typed.case_types:
        body["case_types"] = sorted(typed.case_types)
    return body, typed


class _Unsendable(Exception):
    def __init__(self, typed: Typed, message: str) -> None:
        super().__init__(message)
        self.typed = typed
        self.refusal = Refusal("the migration request has errors; nothing was changed",
                               versions=[message])


def _labelled_report(tenant_id: int, report: dict[str, Any]) -> dict[str, Any]:
    """The report with state labels beside the ids, and what changes in all."""
    labels = state_labels(tenant_id, {c["from_version"] for c in report["cases"]}
                          | {report["to_version"]})
    to_labels = labels.get(report["to_version"], {})
    cases = [{**c, "from_label": labels.get(c["from_version"], {}).get(c["from_state"],
                                                                       c["from_state"]),
              "to_label": to_labels.get(c["to_state"], c["to_state"]) if c["to_state"] else None}
             for c in report["cases"]]
    changes: dict[str, list[str]] = {"fields": [], "forms": [], "rules": []}
    for case in cases:
        for kind, lines in case["changes"].items():
            for line in lines:
                if line not in changes.setdefault(kind, []):
                    changes[kind].append(line)
    cases.sort(key=lambda c: bool(c["migratable"]))  # stable: those that cannot move first
    return {**report, "cases": cases, "all_changes": changes, "shown": SHOWN}


def _page(version: DefinitionVersion, *, choices: Choices | None, typed: Typed | None,
          conflict: str | None = None, refusal: Refusal | None = None,
          report: dict[str, Any] | None = None, status: int = 200) -> Any:
    return render_template("admin/migration.html", version=version, choices=choices,
                           typed=typed, conflict=conflict, refusal=refusal, report=report,
                           drop=DROP, form=MigrateForm()), status


@web.route("/admin/definitions/<int:n>/migrate", methods=["GET", "POST"])
@require(Action.CHECK_DEFINITIONS)
def definition_migrate(n: int) -> Any:
    actor = current_actor()
    version = get_version(actor.tenant_id, n)  # another tenant's number: 404 first
    try:
        prepare(actor.tenant_id, n, {"dry_run": True})  # not published: the service's 409
    except Conflict as exc:
        db.session.rollback()
        return _page(version, choices=None, typed=None, conflict=exc.message,
                     status=409 if request.method == "POST" else 200)
    choices = migration_choices(actor.tenant_id, n)
    if request.method == "GET":
        return _page(version, choices=choices, typed=Typed.defaults(choices))
    if not MigrateForm().validate_on_submit():
        return _page(version, choices=choices, typed=Typed.defaults(choices), status=400,
                     refusal=Refusal("The form expired. Reload the page and try again."))
    try:
        body, typed = _read_form()
    except _Unsendable as exc:
        return _page(version, choices=choices, typed=exc.typed, refusal=exc.refusal,
                     status=422)
    try:
        if request.form.get("action") == "apply":
            task = start_migration(actor, n, {**body, "dry_run": False})
            return redirect(url_for("web.definition_migration", n=n, task_id=task.id))
        report = dry_run(actor.tenant_id, n, {**body, "dry_run": True})
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(version, choices=choices, typed=typed, refusal=_refusal(exc), status=422)
    except (Conflict, NotFound) as exc:  # published meanwhile, say: the service's words
        db.session.rollback()
        return _page(version, choices=choices, typed=typed, refusal=Refusal(exc.message),
                     status=409 if isinstance(exc, Conflict) else 404)
    return _page(version, choices=choices, typed=typed,
                 report=_labelled_report(actor.tenant_id, report))


@web.get("/admin/definitions/<int:n>/migrations/<int:task_id>")
@require(Action.CHECK_DEFINITIONS)
def definition_migration(n: int, task_id: int) -> Any:
    """The move's progress while it runs (the page refreshes itself), then its result."""
    actor = current_actor()
    version = get_version(actor.tenant_id, n)
    task = get_for_tenant(Task, task_id, actor.tenant_id)
    if task.kind != "migration" or int((task.params or {}).get("version", -1)) != n:
        raise NotFound(f"version {n} has no migration {task_id}")
    running = task.status in ("queued", "running")
    result = None
    groups: dict[str, list[dict[str, Any]]] = {o: [] for o in OUTCOMES}
    if task.status == "done" and task.result:
        result = _labelled_report(actor.tenant_id, task.result)
        for case in result["cases"]:
            groups.setdefault(case.get("outcome", "not migratable"), []).append(case)
    return render_template("admin/migration_task.html", version=version, task=task,
                           running=running, result=result, groups=groups,
                           poll_seconds=POLL_SECONDS, names=names_by_email(actor))
