"""The editor's "see it" panels: what a version does, shown beside its text.

Each panel is an HTML fragment (``admin/_panel_<name>.html``) rendered from
``panel_context(name, actor, version)``: the edit page includes them on the
server (so they work without JavaScript) and its script re-fetches them from
``GET /admin/definitions/<n>/panels/<name>`` after each valid save. They show
the version's last VALID text (a draft whose current text has errors keeps its
last valid bundle).

- lifecycle: each case type's diagram (the case page's SVG, nothing filled),
  its transitions with roles and guards in words, and each state's owner;
- forms: each form as technicians get it, the REAL form page of a made-up case
  in a phone frame (``definition_form_preview``: the only route whose answer may
  be framed, by our own pages), with "try it" (nothing stored);
- rules: every rule as a sentence, with the golden tests that cover it;
- connectors: each connector's sample payload and what its format still needs;
- tests: the golden tests, expected vs actual, with traces;
- simulate: replay the last N real cases under the version (a background task
  with progress for large N).

All of it is for admins (``Action.CHECK_DEFINITIONS``), like the API twins in
``api/definition_panels.py``, which answer the same services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from workorders.definitions.completions import vocabulary
from workorders.definitions.model import Bundle, CaseType, Transition
from workorders.errors import NotFound, WorkordersError
from workorders.forms import (
    build_form_class,
    data_from_wtforms,
    form_errors_to_paths,
    template_context,
)
from workorders.platform.actor import Actor
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.models import DefinitionVersion, Task
from workorders.platform.permissions import Action, require
from workorders.platform.security import CONTENT_SECURITY_POLICY
from workorders.platform.services import definitions as svc
from workorders.platform.services.connector_samples import connector_sample
from workorders.platform.services.form_preview import FormTarget, form_target, try_form
from workorders.platform.services.golden_report import golden_report
from workorders.platform.services.simulation import MAX_CASES
from workorders.platform.services.simulation_tasks import run_simulation
from workorders.platform.web import web
from workorders.platform.web.capture_data import merge_errors, posted_formdata
from workorders.platform.web.diagram import lifecycle_diagram
from workorders.rules.words import recipient_words, rules_in_words

PANEL_NAMES = ("lifecycle", "forms", "rules", "messages", "connectors", "tests", "simulate")
DEFAULT_SIMULATION_CASES = 50
#: the form preview may be framed by our own pages (the editor's phone frame), nothing else
FRAMEABLE_CSP = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'",
                                                "frame-ancestors 'self'")
#: seconds between progress checks of a running simulation (page refresh without JS)
POLL_SECONDS = 2
_ROLE_WORDS = {"system": "the platform (rules and exports)"}
_OWNER_WORDS = {"assignee": "the assigned technician", "customer": "the customer"}


class SimulateForm(FlaskForm):
    """How many of the tenant's most recent cases to replay."""

    limit = IntegerField("Recent cases", default=DEFAULT_SIMULATION_CASES,
                         validators=[InputRequired("Say how many recent cases to check."),
                                     NumberRange(1, MAX_CASES, f"Choose between 1 and "
                                                               f"{MAX_CASES} cases.")])


@dataclass(frozen=True)
class PreviewCase:
    """The made-up case the form preview renders for (what capture.html reads)."""

    id: int
    number: str
    customer_name: str
    tenant_id: int
    title: str


# ---- lifecycle ---------------------------------------------------------------------------


def _role_list(roles: tuple[str, ...]) -> str:
    words = [_ROLE_WORDS.get(r, f"{r}s") for r in roles]
    return " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]


def _requirement(key: str, case_type: CaseType) -> str:
    field = case_type.field(key)
    if field is not None:
        return f"“{field.label}”"
    if key.startswith("customer."):
        return f"the customer's {key.split('.', 1)[1].replace('_', ' ')}"
    return {"assignee": "an assigned technician", "scheduled_start": "a scheduled start",
            "scheduled_end": "a scheduled end", "site": "a site",
            "customer": "a customer"}.get(key, key.replace("_", " "))


def guards_in_words(t: Transition, case_type: CaseType, bundle: Bundle) -> list[str]:
    """What must hold before a transition may be taken, as phrases."""
    guards = []
    if t.requires:
        guards.append("needs " + ", ".join(_requirement(k, case_type) for k in t.requires))
    for form_id in t.requires_forms:
        form = bundle.form(form_id)
        guards.append(f"needs a final “{form.title if form else form_id}”")
    if t.requires_invoice_ready:
        guards.append("only when the case is ready for invoicing")
    return guards


def _lifecycle(bundle: Bundle) -> dict[str, Any]:
    types = []
    for case_type in bundle.case_types:
        lifecycle = case_type.lifecycle
        labels = {s.id: s.label for s in lifecycle.states}
        types.append({
            "case_type": case_type,
            "diagram": lifecycle_diagram(lifecycle, "", set(), set()),
            "view": {"status_label": "not a case (the definition's lifecycle)"},
            "states": [{"label": s.label, "initial": s.id == lifecycle.initial,
                        "final": s.final, "work_complete": s.work_complete,
                        "owner": _OWNER_WORDS.get(s.owner or "", f"the {s.owner}s")
                        if s.owner else None} for s in lifecycle.states],
            "transitions": [{"label": t.label,
                             "from": [labels.get(s, s) for s in t.from_states],
                             "to": labels.get(t.to, t.to), "by": _role_list(t.roles),
                             "guards": guards_in_words(t, case_type, bundle)}
                            for t in lifecycle.transitions],
        })
    return {"case_types": types}


# ---- contexts ------------------------------------------------------------------------------


def _forms(version: DefinitionVersion, bundle: Bundle) -> dict[str, Any]:
    forms = []
    for form in bundle.forms:
        users = [c.name for c in bundle.case_types if form.id in c.forms]
        if not users:
            continue
        forms.append({"form": form, "case_types": users, "fields": len(form.fields),
                      "url": url_for("web.definition_form_preview", n=version.number,
                                     form_id=form.id)})
    return {"forms": forms}


def _messages(bundle: Bundle) -> dict[str, Any]:
    """Who each state tells (as written or by default) and every template the bundle
    uses, rendered in each of its languages over a made-up case of a case type that
    sends it: what would be sent."""
    from workorders.definitions.notice_defaults import notice_on_enter, template_named
    from workorders.rules.notice_preview import preview_notification

    sends = []
    used: dict[str, Any] = {}
    for ct in bundle.case_types:
        entered = {t.to for t in ct.lifecycle.transitions}  # booking enters nothing
        for state in ct.lifecycle.states:
            planned = notice_on_enter(bundle, ct, state.id) if state.id in entered else None
            if planned is None:
                continue
            who = [recipient_words(t) for t in planned.to]
            verb = "get" if len(who) > 1 else "gets"
            sends.append({"line": f"{ct.name} · {state.label}: {', '.join(who)} {verb} "
                                  f"“{planned.template.id}”", "built_in": planned.built_in})
            used.setdefault(planned.template.id, planned.template)
    for template_id in bundle.notifications.templates:
        template = template_named(bundle, template_id)
        if template is not None:
            used.setdefault(template_id, template)
    return {"sends": sends, "defaults_on": bundle.notifications.defaults,
            "previews": [preview_notification(bundle, t) for t in used]}


def _connectors(actor: Actor, version: DefinitionVersion, bundle: Bundle) -> dict[str, Any]:
    samples = []
    for connector in bundle.connectors:
        try:
            samples.append(connector_sample(actor, version.number, connector.id))
        except WorkordersError as exc:  # e.g. the catalog has nothing to invoice
            samples.append({"connector": connector.id, "format": connector.format,
                            "payload": None, "problems": [exc.message], "blockers": [],
                            "ready": False, "case": None})
    return {"samples": samples}


def panel_context(name: str, actor: Actor, version: DefinitionVersion) -> dict[str, Any]:
    """What ``admin/_panel_<name>.html`` renders for ``version`` (its last valid text)."""
    bundle = svc.bundle_of(version)
    base: dict[str, Any] = {"version": version, "bundle": bundle}
    if name == "lifecycle":
        return {**base, **_lifecycle(bundle)}
    if name == "forms":
        return {**base, **_forms(version, bundle)}
    if name == "rules":
        return {**base, "rules": rules_in_words(bundle)}
    if name == "messages":
        return {**base, **_messages(bundle)}
    if name == "connectors":
        return {**base, **_connectors(actor, version, bundle)}
    if name == "tests":
        return {**base, "report": golden_report(actor.tenant_id, version.number)}
    if name == "simulate":
        return {**base, "form": SimulateForm(formdata=None), "task": None}
    raise NotFound(f"there is no panel '{name}'")


@web.get("/admin/definitions/<int:n>/panels/<name>")
@require(Action.CHECK_DEFINITIONS)
def definition_panel(n: int, name: str) -> Any:
    if name not in PANEL_NAMES:
        abort(404, f"There is no panel '{name}'.")
    actor = current_actor()
    version = svc.get_version(actor.tenant_id, n)
    return render_template(f"admin/_panel_{name}.html", **panel_context(name, actor, version))


@web.get("/admin/definitions/<int:n>/vocabulary.json")
@require(Action.CHECK_DEFINITIONS)
def definition_vocabulary(n: int) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    return jsonify(vocabulary(svc.bundle_of(version)))


# ---- form preview ------------------------------------------------------------------------


def _frameable(html: str, status: int = 200) -> Response:
    """This answer alone may be shown in a frame, and only by our own pages."""
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAMEABLE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _preview(target: FormTarget, instance: Any, *, tried: dict[str, Any] | None = None,
             action: str = "final", status: int = 200, errors: list[dict[str, str]] | None
             = None) -> Response:
    actor = current_actor()
    ctx = template_context(target.form, target.bundle, instance)
    if errors:
        merge_errors(ctx, errors)
    case = PreviewCase(id=0, number=f"{target.case_type.number_prefix}-PREVIEW-00001",
                       customer_name="Example Customer AB", tenant_id=actor.tenant_id,
                       title=f"A made-up {target.case_type.name.lower()}")
    html = render_template(
        "admin/form_preview.html", case=case, case_type=target.case_type, form=target.form,
        ctx=ctx, latest=None, mode="fill", reason="", message=None, can_capture=True,
        author=None, revision=0, version=target.version, tried=tried, tried_action=action,
        currency=target.bundle.currency,
        preview_action=url_for("web.definition_form_preview", n=target.version.number,
                               form_id=target.form.id))
    return _frameable(html, status)


@web.route("/admin/definitions/<int:n>/forms/<form_id>/preview", methods=["GET", "POST"])
@require(Action.CHECK_DEFINITIONS)
def definition_form_preview(n: int, form_id: str) -> Any:
    """GET: the technician's page for a made-up case; POST ("Try it"): what was typed,
    judged as the technician's page judges it, plus the rules a final submission
    would fire; nothing is stored either way."""
    actor = current_actor()
    target = form_target(actor.tenant_id, n, form_id)
    form_class = build_form_class(target.form, target.bundle)
    if request.method == "GET":
        return _preview(target, form_class(None, draft=True))
    action = "draft" if request.form.get("_action") == "draft" else "final"
    instance = form_class(posted_formdata(target.form, request.form.items(multi=True)),
                          draft=action == "draft")
    instance.validate()
    errors = [{"path": e.path, "message": e.message} for e in form_errors_to_paths(instance)]
    tried = try_form(target, data_from_wtforms(instance), assignee=actor.email).to_dict()
    tried["page_errors"] = errors
    return _preview(target, instance, tried=tried, action=action,
                    errors=[e for e in tried["errors"] if e not in errors])


# ---- simulation --------------------------------------------------------------------------


def _simulation_fragment(version: DefinitionVersion, task: Task | None,
                         form: SimulateForm) -> str:
    return render_template("admin/_panel_simulate.html", version=version, task=task, form=form,
                           poll_seconds=POLL_SECONDS)


def _simulation_answer(version: DefinitionVersion, task: Task | None, form: SimulateForm, *,
                       status: int = 200) -> Any:
    """The fragment for the panel's script (``?fragment=1``), else a whole page."""
    if request.args.get("fragment"):
        return _simulation_fragment(version, task, form), status
    running = task is not None and task.status in ("queued", "running")
    return render_template("admin/simulation.html", version=version, task=task, form=form,
                           running=running, poll_seconds=POLL_SECONDS), status


@web.post("/admin/definitions/<int:n>/simulate")
@require(Action.CHECK_DEFINITIONS)
def definition_simulate(n: int) -> Any:
    actor = current_actor()
    version = svc.get_version(actor.tenant_id, n)
    form = SimulateForm()
    if not form.validate():
        return _simulation_answer(version, None, form, status=422)
    task = run_simulation(actor, n, int(form.limit.data or DEFAULT_SIMULATION_CASES))
    if request.args.get("fragment"):
        return _simulation_fragment(version, task, SimulateForm(formdata=None))
    return redirect(url_for("web.definition_simulation", n=n, task_id=task.id))


@web.get("/admin/definitions/<int:n>/simulations/<int:task_id>")
@require(Action.CHECK_DEFINITIONS)
def definition_simulation(n: int, task_id: int) -> Any:
    actor = current_actor()
    version = svc.get_version(actor.tenant_id, n)
    task = get_for_tenant(Task, task_id, actor.tenant_id)
    if task.kind != "simulation" or int((task.params or {}).get("version", -1)) != n:
        raise NotFound(f"version {n} has no simulation {task_id}")
    return _simulation_answer(version, task, SimulateForm(formdata=None))


__all__ = ["PANEL_NAMES", "panel_context"]
