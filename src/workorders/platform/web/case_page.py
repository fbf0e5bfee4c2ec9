"""The case page: everything about one case, and the next steps on it.

Moves and assignments go through the same services as the API
(``transition_case``, ``assign_case``). A refused action re-renders the page
with the reason beside the form that caused it and the right status (403, 409,
412, 422); nothing is changed. A successful one redirects (post/redirect/get),
so reloading never repeats it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.errors import Conflict, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.problems import PreconditionFailed
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.case_queries import case_events, case_view
from workorders.platform.services.cases import BOOKERS, assign_case, transition_case
from workorders.platform.services.field_work import (
    last_on_my_way,
    on_my_way_offered,
    time_form,
    timer_state,
)

# the module, not its names: field_work renders through this one (render_case)
from workorders.platform.web import field_work as field_buttons
from workorders.platform.web import web
from workorders.platform.web.capture import may_capture
from workorders.platform.web.case_forms import AssignForm, TransitionForm, assign_choices
from workorders.platform.web.diagram import lifecycle_diagram
from workorders.platform.web.job_steps import forms_to_fill, maps_url
from workorders.platform.web.lookups import names_by_email, technicians
from workorders.platform.web.reports import case_reports
from workorders.platform.web.timeline import timeline

STALE = ("Someone changed this case while you had it open, so nothing was saved. "
         "Reload the page to see their change, then try again.")


def render_case(loaded: LoadedCase, *, status: int = 200, problem: dict[str, Any] | None = None,
                transition_form: TransitionForm | None = None,
                assign_form: AssignForm | None = None) -> tuple[str, int]:
    actor = current_actor()
    view = case_view(actor, loaded)
    events = case_events(actor, loaded.case.id)
    names = names_by_email(actor)
    visited = {str((e.after or {}).get("status")) for e in events if e.after}
    diagram = lifecycle_diagram(loaded.case_type.lifecycle, loaded.case.status, visited,
                                {t["to"] for t in view["allowed_transitions"]})
    can_assign = actor.has_any(*BOOKERS)
    if assign_form is None:
        assign_form = AssignForm(formdata=None, assignee=view["assignee"] or "",
                                 version=loaded.case.version)
    assign_form.assignee.choices = assign_choices(
        [(t.email, t.name) for t in technicians(actor)])
    waiting: list[dict[str, Any]] = []
    blocked: list[dict[str, Any]] = []
    for option in view["blocked_transitions"]:
        kinds = {u["kind"] for u in option["unmet"]}
        # a step this person's role cannot take is someone else's, whatever else it lacks
        (waiting if "role" in kinds or kinds <= {"role", "assignee"} else blocked).append(option)
    can_capture = may_capture(actor, loaded)
    # the technician's order (next step, forms, address, the rest): the assigned
    # technician, and a member who is a technician only
    tech_view = (loaded.case.assignee_id == actor.user_id and actor.has_any("technician")) or (
        actor.has_any("technician") and not actor.has_any(*BOOKERS))
    is_assignee = loaded.case.assignee_id == actor.user_id and actor.has_any("technician")
    state = loaded.case_type.lifecycle.state(loaded.case.status)
    closed = state is None or state.final or is_work_complete_or_later(loaded.case_type,
                                                                        loaded.case.status)
    return render_template(
        "case.html", case=loaded.case, view=view, case_type=loaded.case_type,
        tech_view=tech_view, step=field_buttons.next_step_button(loaded, view,
                                                               may_fill=can_capture),
        forms=forms_to_fill(loaded), maps=maps_url(view["site"]),
        on_my_way=on_my_way_offered(actor, loaded),
        on_my_way_said=last_on_my_way(loaded.case.id, loaded.case.tenant_id),
        timer=timer_state(actor, loaded.case.id) if is_assignee and not closed else None,
        timer_form=time_form(loaded),
        diagram=diagram, entries=timeline(loaded.case_type, names, events, bundle=loaded.bundle),
        assignee_name=names.get(view["assignee"] or "", view["assignee"]), names=names,
        blocked=blocked, waiting=waiting, can_assign=can_assign,
        reports=case_reports(actor, loaded, names), can_capture=can_capture,
        assign_form=assign_form, transition_form=transition_form or TransitionForm(
            formdata=None), problem=problem or {}), status


@web.get("/cases/<int:case_id>")
def case_page(case_id: int) -> Any:
    return render_case(load_case(current_actor(), case_id))


def _refused(loaded: LoadedCase, where: str, err: Exception, **forms: Any) -> tuple[str, int]:
    """Re-render with the reason next to the form ``where``; the failed
    transaction was rolled back, so the page shows the case as it is now."""
    fresh = load_case(current_actor(), loaded.case.id)
    if isinstance(err, PreconditionFailed):
        return render_case(fresh, status=412, problem={"where": where, "message": STALE,
                                                       "stale": True}, **forms)
    if isinstance(err, ValidationFailed):
        details = [str(e.get("message", "")) for e in err.errors]
        return render_case(fresh, status=422, problem={"where": where, "message": err.message,
                                                       "details": details}, **forms)
    unmet = [u["message"] for u in getattr(err, "extra", {}).get("unmet", [])]
    message = "This step is not possible yet:" if unmet else str(err)
    return render_case(fresh, status=409, problem={"where": where, "message": message,
                                                   "details": unmet}, **forms)


@web.post("/cases/<int:case_id>/transition")
def case_transition(case_id: int) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return render_case(loaded, status=400, problem={
            "where": "transition", "message": "The form was incomplete or expired. Reload the "
                                              "page and try again."})
    transition = loaded.case_type.lifecycle.transition(form.transition.data)
    if transition is None or not actor.has_any(*transition.roles):
        abort(403, "Your role cannot take this step on the case.")
    try:
        transition_case(actor, case_id, form.transition.data, form.comment.data,
                        expected_version=form.version.data)
    except (Conflict, ValidationFailed, PreconditionFailed) as err:
        return _refused(loaded, "transition", err, transition_form=form)
    flash(f"Done: {transition.label}.", "success")
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):  # My jobs' Start opens the form
        return redirect(target)
    return redirect(url_for("web.case_page", case_id=case_id))


@web.post("/cases/<int:case_id>/assign")
def case_assign(case_id: int) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    if not actor.has_any(*BOOKERS):
        abort(403, "Assigning cases needs the coordinator or admin role.")
    form = AssignForm()
    form.assignee.choices = assign_choices([(t.email, t.name) for t in technicians(actor)])
    if not form.validate_on_submit():
        return render_case(loaded, status=422, assign_form=form, problem={
            "where": "assign", "message": "Pick one of the technicians in the list."})
    try:
        assign_case(actor, case_id, form.assignee.data or None,
                    expected_version=form.version.data)
    except (Conflict, ValidationFailed, PreconditionFailed) as err:
        return _refused(loaded, "assign", err, assign_form=form)
    names = names_by_email(actor)
    flash(f"Assigned to {names.get(form.assignee.data, form.assignee.data)}."
          if form.assignee.data else "The case has no technician now.", "success")
    return redirect(url_for("web.case_page", case_id=case_id))
