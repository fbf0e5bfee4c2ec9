"""Changing a booking from the case page, cancel-like steps with a reason, and
the booking form's customer lookup.

Edit booking reuses the booking form (``web/booking_form.py``) and goes through
``update_case``, the same service as ``PATCH /api/v1/cases/{id}``: the same
checks, the same audit event, the same ``reschedule`` rules. The case's version
rides in a hidden field, so a change made by someone else meanwhile is a 412 and
nothing is saved. A step that ends a case without its work done (cancel) asks
"are you sure?" and a reason, which becomes the transition's comment; the
service refuses it without one, for the API too.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from workorders.definitions.model import CaseType
from workorders.definitions.notice_defaults import sends_sms_to_customer
from workorders.errors import Conflict, ValidationFailed
from workorders.forms.phones import phone_words
from workorders.platform.auth import current_actor, require_roles
from workorders.platform.problems import PreconditionFailed
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.case_input import PATCH_SCHEMA
from workorders.platform.services.cases import (
    BOOKERS,
    transition_case,
    transitions_needing_reason,
    update_case,
)
from workorders.platform.services.customers import known_customers
from workorders.platform.web import web
from workorders.platform.web.booking import early_errors, place_errors, setup_form
from workorders.platform.web.booking_form import (
    ADDRESS_KEYS,
    CUSTOMER_KEYS,
    FIELD_PREFIX,
    SITE_KEYS,
    BookingForm,
    booking_body,
    case_field_value,
)
from workorders.platform.web.display import local

STALE = ("Someone changed this case while you had it open, so nothing was saved. "
         "Reload the page to see their change, then make yours again.")


class EditBookingForm(BookingForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    reason = TextAreaField("Reason (required)", validators=[Length(max=2000)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


@web.app_context_processor
def _reason_steps() -> dict[str, Any]:
    return {"transitions_needing_reason": transitions_needing_reason}


def _local_naive(value: Any) -> Any:
    moment = local(value)
    return moment.replace(tzinfo=None, second=0, microsecond=0) if moment else None


def _prefill(form: EditBookingForm, loaded: LoadedCase) -> dict[str, str]:
    """The form as the case is now; the case type's own fields as raw values."""
    case = loaded.case
    customer, site = case.customer or {}, case.site or {}
    form.title.data = case.title
    for key in CUSTOMER_KEYS:
        getattr(form, f"customer_{key}").data = customer.get(key) or ""
    form.customer_phone.data = phone_words(customer.get("phone"))  # stored E.164, read grouped
    for key in ADDRESS_KEYS:
        getattr(form, f"customer_{key}").data = (customer.get("address") or {}).get(key) or ""
    for key in SITE_KEYS:
        getattr(form, f"site_{key}").data = site.get(key) or ""
    form.scheduled_start.data = _local_naive(case.scheduled_start)
    form.scheduled_end.data = _local_naive(case.scheduled_end)
    form.assignee.data = case.assignee.email if case.assignee else ""
    form.version.data = case.version
    values: dict[str, str] = {}
    for f in loaded.case_type.fields:
        value = (case.fields or {}).get(f.id)
        if value is None:
            continue
        if f.type == "datetime":
            moment = _local_naive(value)
            values[FIELD_PREFIX + f.id] = moment.isoformat(timespec="minutes") if moment else ""
        elif f.type == "boolean":
            values[FIELD_PREFIX + f.id] = "on" if value else ""
        else:
            values[FIELD_PREFIX + f.id] = str(value)
    return values


def _changes(form: BookingForm, case_type: CaseType, raw: MultiDict[str, str]) -> dict[str, Any]:
    """The PATCH body: everything the form shows; an emptied case field is cleared."""
    body = booking_body(form, case_type, raw)
    body.pop("case_type")
    zone = form.timezone.data or ""
    body["fields"] = {f.id: case_field_value(f, raw, zone) for f in case_type.fields}
    return body


@web.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@require_roles(*BOOKERS)
def case_edit(case_id: int) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    form = EditBookingForm()
    setup_form(form, loaded.case_type)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    stale = False
    status = 200
    values: Any = request.form
    if request.method == "GET":
        values = _prefill(form, loaded)
    else:
        status = 422
        form_ok = form.validate_on_submit()
        body = _changes(form, loaded.case_type, request.form)
        problems = early_errors({k: v for k, v in body.items() if k != "fields"}, PATCH_SCHEMA,
                                needs_mobile=sends_sms_to_customer(loaded.bundle))
        if form_ok and not problems:
            try:
                update_case(actor, case_id, body, expected_version=form.version.data)
            except PreconditionFailed:
                status, stale = 412, True
            except ValidationFailed as exc:
                problems = list(exc.errors) or [{"path": "", "message": exc.message}]
            except Conflict as exc:
                problems, status = [{"path": "", "message": exc.message}], 409
            else:
                flash(f"Saved the booking of {loaded.case.number}.", "success")
                return redirect(url_for("web.case_page", case_id=case_id))
        errors, general = place_errors(problems, form)
        for name, field in form._fields.items():
            if field.errors:
                errors[name] = [str(e) for e in field.errors]
        if form.errors.get("csrf_token") or form.errors.get("version"):
            general.append("The form expired. Reload the page and make your change again.")
    return render_template("case_edit.html", form=form, case=loaded.case,
                           case_type=loaded.case_type, errors=errors, general=general,
                           stale=STALE if stale else None, values=values), status


@web.route("/cases/<int:case_id>/transitions/<transition_id>/confirm", methods=["GET", "POST"])
def case_confirm_transition(case_id: int, transition_id: str) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    transition = loaded.case_type.lifecycle.transition(transition_id)
    if transition is None or transition_id not in transitions_needing_reason(loaded.case_type):
        abort(404, "There is no such step to confirm on this case.")
    if not actor.has_any(*transition.roles):
        abort(403, "Your role cannot take this step on the case.")
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = loaded.case.version
    problem: str | None = None
    status = 200
    if request.method == "POST":
        status = 422
        reason = (form.reason.data or "").strip()
        if not form.validate_on_submit():
            problem = "The form expired. Reload the page and try again."
        elif not reason:
            problem = "Say why: a reason is required, and it is kept in the case's history."
        else:
            try:
                transition_case(actor, case_id, transition_id, reason,
                                expected_version=form.version.data)
            except PreconditionFailed:
                status, problem = 412, STALE
            except ValidationFailed as exc:
                problem = "; ".join(str(e.get("message")) for e in exc.errors) or exc.message
            except Conflict as exc:
                unmet = [u["message"] for u in getattr(exc, "extra", {}).get("unmet", [])]
                status, problem = 409, ("This step is not possible now: " + "; ".join(unmet)
                                        if unmet else str(exc))
            else:
                flash(f"Done: {transition.label} ({loaded.case.number}).", "success")
                return redirect(url_for("web.case_page", case_id=case_id))
    return render_template("case_confirm_transition.html", case=loaded.case,
                           transition=transition, form=form, problem=problem,
                           stale=status == 412), status


@web.get("/customers/lookup")
@require_roles(*BOOKERS)
def customer_lookup() -> Any:
    """This tenant's known customers matching ``q`` (≥ 2 characters), as JSON for
    the booking form to fill in: the phone grouped as people type it, not E.164."""
    found = known_customers(current_actor(), request.args.get("q", ""))
    for item in found:
        if item["customer"].get("phone"):
            item["customer"] = {**item["customer"],
                                "phone": phone_words(item["customer"]["phone"])}
    return jsonify(found)
