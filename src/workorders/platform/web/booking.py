"""Booking a case in the browser: the case type is picked first (a link, so the
form can show that type's own fields without JavaScript), then the form goes
through the same JSON Schema and the same ``book_case`` service as the API.

Every problem is shown beside the field it concerns, and all of them at once
where possible: the form's own checks and the API schema run before the
service; the service's answer (e.g. an assignee who is no technician, an end
before the start, a case field of the wrong type) is mapped back by its path.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from jsonschema import Draft202012Validator

from workorders.definitions.model import CaseType
from workorders.definitions.notice_defaults import sends_sms_to_customer
from workorders.errors import Conflict, ValidationFailed
from workorders.forms.validator import schema_error
from workorders.platform.auth import current_actor, require_roles
from workorders.platform.services.case_input import (
    BOOKING_SCHEMA,
    check_window,
    parse_datetime,
    phone_errors,
)
from workorders.platform.services.cases import BOOKERS, book_case
from workorders.platform.web import web
from workorders.platform.web.booking_form import (
    FIELD_PREFIX,
    BookingForm,
    booking_body,
    field_for_path,
)
from workorders.platform.web.display import (
    display_zone_name,
    formatting,
    valid_zone,
    zone_choices,
)
from workorders.platform.web.lookups import bookable_case_types, current_bundle, technicians


def early_errors(body: dict[str, Any], schema: dict[str, Any] = BOOKING_SCHEMA, *,
                 needs_mobile: bool = False) -> list[dict[str, Any]]:
    """The API schema's errors and the schedule window's, before the service is
    asked, so one submit shows every problem rather than the first. Each error
    is worded by ``schema_error``, as the API words it (forms.messages), so the
    page and the API say the same sentence about the same value."""
    validator = Draft202012Validator(schema)
    out: list[dict[str, Any]] = []
    for err in validator.iter_errors({k: v for k, v in body.items() if v is not None}):
        path, message = schema_error(err)
        out.append({"path": path, "message": message})
    if "customer" in body:
        out += phone_errors(body.get("customer"), body.get("site"), formatting().locale,
                            needs_mobile=needs_mobile)
    try:
        check_window(parse_datetime(body.get("scheduled_start"), "/scheduled_start"),
                     parse_datetime(body.get("scheduled_end"), "/scheduled_end"))
    except ValidationFailed as exc:
        out += exc.errors
    return out


def place_errors(errors: list[dict[str, Any]], form: BookingForm) -> tuple[dict[str, list[str]],
                                                                     list[str]]:
    """Errors by form field name, and those that belong to no single field."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for err in errors:
        name = field_for_path(str(err.get("path", "")))
        message = str(err.get("message", ""))
        if name and (name.startswith(FIELD_PREFIX) or hasattr(form, name)):
            by_field.setdefault(name, []).append(message)
        else:
            general.append(message)
    return by_field, general


def setup_form(form: BookingForm, case_type: CaseType) -> None:
    form.case_type.data = case_type.id
    form.timezone.data = valid_zone(form.timezone.data) or display_zone_name()
    form.timezone.choices = zone_choices(form.timezone.data)
    form.assignee.choices = [("", "— Not yet —"), *(
        (t.email, t.name) for t in technicians(current_actor()))]


@web.route("/cases/new", methods=["GET", "POST"])
@require_roles(*BOOKERS)
def new_case() -> Any:
    actor = current_actor()
    case_types = bookable_case_types(actor)
    if not case_types:
        flash("Nothing can be booked until an administrator publishes the definitions.", "error")
        return redirect(url_for("web.board"))
    wanted = request.values.get("case_type") or case_types[0].id
    case_type = next((ct for ct in case_types if ct.id == wanted), None)
    if case_type is None:
        abort(404, f"there is no case type '{wanted}' to book")
    form = BookingForm()
    setup_form(form, case_type)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        form_ok = form.validate_on_submit()
        body = booking_body(form, case_type, request.form)
        bundle = current_bundle(actor)
        problems = early_errors(body, needs_mobile=bundle is not None
                                and sends_sms_to_customer(bundle))
        if form_ok and not problems:
            try:
                case = book_case(actor, body)
            except ValidationFailed as exc:
                problems = list(exc.errors) or [{"path": "", "message": exc.message}]
            except Conflict as exc:
                problems = [{"path": "", "message": exc.message}]
                status = 409
            else:
                flash(f"Booked {case.number}.", "success")
                return redirect(url_for("web.case_page", case_id=case.id))
        errors, general = place_errors(problems, form)
        for name, field in form._fields.items():
            if field.errors:  # the form's message is the plainer one for the same field
                errors[name] = [str(e) for e in field.errors]
        if form.errors.get("csrf_token"):
            general.append("The form expired. Reload the page and fill it in again.")
    return render_template("case_new.html", form=form, case_type=case_type,
                           case_types=case_types, errors=errors, general=general,
                           values=request.form, lookup=True), status
