"""The technician's buttons on the case page and on My jobs: the one next-step
button (what ``_next_step.html`` draws), "On my way" and the work timer
(services/field_work.py does the work, the API shares it).

Both are plain form posts with the CSRF token and the case version the page
showed; a stale page is refused (412) like every other change to a case. A
success redirects back to where the button was (My jobs or the case page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, Optional

from workorders.errors import Conflict, Forbidden, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import Attachment
from workorders.platform.problems import PreconditionFailed
from workorders.platform.services import field_work as svc
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.submissions import final_forms_of

# the module, not its names: case_page draws this module's button (next_step_button)
from workorders.platform.web import case_page, web
from workorders.platform.web.job_steps import Step, next_step

BAD_FORM = "The form was incomplete or expired. Reload the page and try again."


class OnMyWayForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    next = HiddenField(validators=[Optional()])


class TimerForm(FlaskForm):
    action = HiddenField(validators=[InputRequired(), AnyOf(svc.TIMER_ACTIONS)])
    version = IntegerField(validators=[InputRequired()])
    next = HiddenField(validators=[Optional()])


@dataclass(frozen=True)
class NextStepButton(Step):
    """The one primary button for a case, as My jobs and the case page draw it
    (``_next_step.html``): the step itself, and for a transition where to go once
    it is taken (None: back to the case page)."""
    after: str | None = None


def next_step_button(loaded: LoadedCase, view: dict[str, Any], *, may_fill: bool,
                     open_form_after: bool = False) -> NextStepButton | None:
    """The next step (``job_steps.next_step``) as a button, or None when there is none.

    With ``open_form_after`` (My jobs), a transition such as Start leads straight
    to the first report of the case type not yet submitted: the technician taps
    once less; the case page stays where it is so the step's result shows."""
    step = next_step(loaded, view, may_fill=may_fill)
    if step is None:
        return None
    after = None
    if open_form_after and step.kind == "transition":
        done = final_forms_of(loaded.case)
        forms = [f for f in loaded.case_type.forms
                 if loaded.bundle.form(f) is not None and f not in done]
        if forms:
            after = url_for("web.capture_page", case_id=loaded.case.id, form_id=forms[0])
    return NextStepButton(**vars(step), after=after)


def _back(case_id: int, target: str | None) -> Any:
    """Back to the page the button was on: only this site's own paths."""
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("web.case_page", case_id=case_id))


def _refused(loaded: LoadedCase, err: Exception) -> tuple[str, int]:
    fresh = load_case(current_actor(), loaded.case.id)
    if isinstance(err, Forbidden):
        abort(403, f"Not possible: {err.message}.")
    if isinstance(err, PreconditionFailed):
        return case_page.render_case(fresh, status=412, problem={
            "where": "field", "message": case_page.STALE, "stale": True})
    status = 422 if isinstance(err, ValidationFailed) else 409
    message = getattr(err, "message", str(err))
    return case_page.render_case(fresh, status=status, problem={
        "where": "field", "message": f"Not possible: {message[:1].upper()}{message[1:]}."})


#: the file name the form page gives a signature made from the typed name (capture.js)
TYPED_SIGNATURE_PREFIX = "typed-signature-"


@web.app_context_processor
def typed_signature_check() -> dict[str, Any]:
    """``typed_signature(id)`` for the Reports section: whether a signature image is
    the typed-name alternative, so it is marked as typed where it is shown."""
    def typed_signature(attachment_id: str) -> bool:
        name = db.session.execute(select(Attachment.filename).where(
            Attachment.id == str(attachment_id),
            Attachment.tenant_id == current_actor().tenant_id)).scalar_one_or_none()
        return bool(name and name.startswith(TYPED_SIGNATURE_PREFIX))
    return {"typed_signature": typed_signature}


@web.post("/cases/<int:case_id>/on-my-way")
def case_on_my_way(case_id: int) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    form = OnMyWayForm()
    if not form.validate_on_submit():
        return case_page.render_case(loaded, status=400, problem={
            "where": "field", "message": BAD_FORM})
    try:
        svc.say_on_my_way(actor, case_id, form.version.data)
    except (Conflict, Forbidden, ValidationFailed, PreconditionFailed) as err:
        return _refused(loaded, err)
    flash(f"On my way: noted for {loaded.case.number}"
          + (" and the customer is told." if loaded.bundle.rules_for(
              loaded.case_type.id, svc.ON_MY_WAY) else "."), "success")
    return _back(case_id, form.next.data)


@web.post("/cases/<int:case_id>/timer")
def case_timer(case_id: int) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    form = TimerForm()
    if not form.validate_on_submit():
        return case_page.render_case(loaded, status=400, problem={
            "where": "field", "message": "Use the timer's Start or Stop button. " + BAD_FORM})
    try:
        if form.action.data == "start":
            svc.start_timer(actor, case_id, form.version.data)
            flash("Timer started: stop it when the work pauses or ends.", "success")
        else:
            stopped = svc.stop_timer(actor, case_id, form.version.data)
            hours = svc.hours_text(stopped.hours)
            if stopped.problem:
                flash(f"Timer stopped: {hours} h. Not added to a report: {stopped.problem}.",
                      "error")
            else:
                assert stopped.form is not None
                flash(f"Timer stopped: {hours} h added to the draft of "
                      f"{stopped.form.title}.", "success")
    except (Conflict, Forbidden, ValidationFailed, PreconditionFailed) as err:
        return _refused(loaded, err)
    return _back(case_id, form.next.data)
