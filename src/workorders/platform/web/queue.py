"""The exceptions queue: coordinators and admins work what the rules raised.

Every action is a POST form that calls the same service as the API
(``assign_exception``, ``resolve_exception``, ``override_exception``,
``reopen_exception``) with the row's version as the expected version. A refused
action changes nothing and comes back as a flash message on the same filtered
list (post/redirect/get, so reloading never repeats an action).

This module also feeds every page's nav badges and the case page's
"Exceptions and approvals" box through a context processor, so the case page
view needs no change to show them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from workorders.errors import Conflict, ValidationFailed
from workorders.platform.auth import Actor, current_actor, require_roles
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Case, CaseException
from workorders.platform.problems import PreconditionFailed
from workorders.platform.services import work_queue as svc
from workorders.platform.services.case_outcomes import case_outcomes
from workorders.platform.web import web
from workorders.platform.web.bulk import bulk_ids, flash_summary, picking_problem, run_bulk
from workorders.platform.web.lookups import (
    bookable_case_types,
    member_name,
    names_by_email,
    people,
)
from workorders.platform.web.work_forms import (
    AssignExceptionForm,
    NoteForm,
    VersionForm,
    safe_back,
)
from workorders.platform.web.work_items import (
    AGES,
    SEVERITIES,
    STATUS_WORDS,
    QueueFilters,
    code_counts,
    exception_codes,
    exception_rows,
    explanation,
    work_counts,
)
from workorders.rules.readiness import approver_words

STALE = ("Someone changed this exception while you had the page open, so nothing was "
         "saved. The list now shows it as it is: check it and try again.")
INCOMPLETE = "The form was incomplete or expired: nothing was saved. Try again."


@web.app_context_processor
def _work_context() -> dict[str, Any]:
    """Lazy helpers for templates: the nav badges and a case's outcomes are only
    queried by the pages that show them."""

    def counts() -> Any:
        from flask import g

        actor: Actor | None = g.get("actor")
        return work_counts(actor) if actor else None

    def outcomes(case_id: int) -> Any:
        return case_outcomes(current_actor(), case_id)

    return {"work_counts": counts, "case_outcomes": outcomes}


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " "))


web.add_app_template_filter(status_word, "status_word")
web.add_app_template_filter(explanation, "sentences")
web.add_app_template_filter(approver_words, "approver_words")


@web.get("/exceptions")
@require_roles(*svc.STAFF)
def exceptions_queue() -> Any:
    actor = current_actor()
    filters = QueueFilters.from_args(request.args)
    names = names_by_email(actor)
    only_case = None
    if filters.case_id is not None:
        only_case = get_for_tenant(Case, filters.case_id, actor.tenant_id)
    members = [p for p in people(actor) if set(p.roles) - {"viewer"}]
    return render_template(
        "exceptions.html", rows=exception_rows(actor, filters, names), filters=filters,
        names=names,
        codes=exception_codes(actor), case_types=bookable_case_types(actor),
        members=sorted(members, key=lambda p: p.name.lower()), severities=SEVERITIES,
        ages=AGES, only_case=only_case, back=request.full_path.rstrip("?"),
        code_counts=code_counts(actor, filters))


def _done(form: Any, message: str, category: str = "success") -> Response:
    flash(message, category)
    return redirect(safe_back(form.next.data, url_for("web.exceptions_queue")))


def _act(exception_id: int, form: Any, action: Callable[[Actor, CaseException], Any],
         success: Callable[[CaseException], str]) -> Response:
    """Run one service call for the row; turn refusals into a flash message."""
    actor = current_actor()
    item = get_for_tenant(CaseException, exception_id, actor.tenant_id)
    if not form.validate_on_submit():
        return _done(form, _form_problem(form), "error")
    try:
        changed = action(actor, item)
    except PreconditionFailed:
        return _done(form, STALE, "error")
    except ValidationFailed as err:
        details = "; ".join(str(e.get("message", "")) for e in err.errors) or err.message
        return _done(form, f"Nothing was saved: {details}.", "error")
    except Conflict as err:
        return _done(form, f"Nothing was saved: {err.message}.", "error")
    return _done(form, success(changed))


def _form_problem(form: Any) -> str:
    if "text" in form.errors:
        return "Write a few words first: nothing was saved."
    return INCOMPLETE


def _label(item: CaseException) -> str:
    return f"{item.code} on {svc.case_number(item.case_id)}"


@web.post("/exceptions/<int:exception_id>/assign")
@require_roles(*svc.STAFF)
def exception_assign(exception_id: int) -> Response:
    form = AssignExceptionForm()

    def assign(actor: Actor, item: CaseException) -> CaseException:
        who = (form.user.data or "").strip()
        email = actor.email if who == "me" else who or None
        return svc.assign_exception(actor, item.id, email, form.version.data)

    def said(item: CaseException) -> str:
        who = member_name(item.assignee) or None
        return f"{_label(item)}: " + (f"assigned to {who}." if who else "nobody has it now.")

    return _act(exception_id, form, assign, said)


@web.post("/exceptions/<int:exception_id>/resolve")
@require_roles(*svc.STAFF)
def exception_resolve(exception_id: int) -> Response:
    form = NoteForm()
    return _act(exception_id, form,
                lambda actor, item: svc.resolve_exception(actor, item.id, form.text.data,
                                                          form.version.data),
                lambda item: f"Resolved {_label(item)}.")


@web.post("/exceptions/<int:exception_id>/override")
@require_roles(*svc.STAFF)
def exception_override(exception_id: int) -> Response:
    form = NoteForm()
    return _act(exception_id, form,
                lambda actor, item: svc.override_exception(actor, item.id, form.text.data,
                                                           form.version.data),
                lambda item: f"Overridden {_label(item)}.")


@web.post("/exceptions/<int:exception_id>/reopen")
@require_roles(*svc.STAFF)
def exception_reopen(exception_id: int) -> Response:
    form = VersionForm()
    return _act(exception_id, form,
                lambda actor, item: svc.reopen_exception(actor, item.id, form.version.data),
                lambda item: f"Reopened {_label(item)}.")


class BulkForm(FlaskForm):
    """Only the CSRF check and the shared fields; ids and versions are read by hand
    because there is one of each per ticked row."""

    action = StringField(validators=[AnyOf(["assign", "resolve"])])
    assignee = StringField(validators=[Optional(), Length(max=254)])
    note = TextAreaField(validators=[Optional(), Length(max=2000)])
    next = HiddenField(validators=[Optional(), Length(max=1000)])


@web.post("/exceptions/bulk")
@require_roles(*svc.STAFF)
def exceptions_bulk() -> Response:
    """Assign or resolve the ticked exceptions item by item through the same
    services as the row buttons; each item is its own transaction, and the
    summary says which were done and which were left as they were and why."""
    actor = current_actor()
    form = BulkForm()
    back = safe_back(form.next.data, url_for("web.exceptions_queue"))
    picked = bulk_ids()
    problem: str | None
    if not form.validate_on_submit():
        problem = ("Pick what to do: assign or resolve." if "action" in form.errors
                   else INCOMPLETE)
    else:
        problem = picking_problem(picked, "exception")
    if problem is None and form.action.data == "resolve" and not (form.note.data or "").strip():
        problem = "Write a note saying what was done: nothing was saved."
    if problem is not None or picked is None:
        flash(problem or INCOMPLETE, "error")
        return redirect(back)
    who = (form.assignee.data or "").strip()
    email = actor.email if who == "me" else who or None

    def act(item: CaseException, version: int | None) -> object:
        if form.action.data == "assign":
            return svc.assign_exception(actor, item.id, email, version)
        return svc.resolve_exception(actor, item.id, form.note.data or "", version)

    outcome = run_bulk(picked, CaseException, actor.tenant_id, label=_label,
                       is_open=lambda item: item.status == "open", act=act,
                       forbidden="only coordinators and admins may change it")
    if form.action.data == "assign":
        verb = (f"assigned to {names_by_email(actor).get(email, email)}" if email
                else "given back to the role")
    else:
        verb = "resolved"
    flash_summary(outcome, verb)
    return redirect(back)
