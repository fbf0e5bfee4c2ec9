"""The technician's form page: a generated form, drafts, the final report and
corrections, through the same services as the API.

One address per case and form. GET shows the latest revision to continue (a
draft) or to read and correct (a final one). POST judges what was typed with
the generated WTForms class first (errors beside each field, nothing stored),
then hands the data, in the API's shape, to ``submit_form`` or
``correct_submission``. The page's script posts with ``fetch`` and an
``Idempotency-Key`` and wants JSON back, so a retried post after a dropped
connection gets the first answer instead of storing twice; a plain form post
(no script) gets the page or a redirect.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import Form, Transition
from workorders.errors import Conflict, ValidationFailed
from workorders.forms import (
    build_form_class,
    data_from_wtforms,
    encode_formdata,
    form_errors_to_paths,
    template_context,
)
from workorders.platform.api.idempotency import idempotent
from workorders.platform.auth import Actor, current_actor
from workorders.platform.models import Submission
from workorders.platform.problems import Forbidden
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.cases import transition_case
from workorders.platform.services.submissions import (
    FINAL_KINDS,
    SubmissionResult,
    correct_submission,
    final_forms_of,
    latest_revision,
    submit_form,
)
from workorders.platform.web import web
from workorders.platform.web.capture_data import (
    ACTIONS,
    REASON_PATH,
    merge_errors,
    posted_formdata,
    service_errors,
    signer_name_fields,
)
from workorders.platform.web.lookups import names_by_email

REASON_MISSING = "Say why the report is corrected (the coordinator sees it in the history)."
NOT_SAVED = "Nothing was saved: fix the marked fields and send again."


@web.app_template_filter("phone_attrs")
def phone_attrs(attrs: dict[str, str]) -> dict[str, str]:
    """HTML attributes for an input: decimal inputs become text inputs with the
    decimal keypad, so a typed comma or a mistake stays visible (a number input
    silently empties what it cannot parse) and the script turns "7,5" into "7.5"."""
    out = {k: v for k, v in attrs.items() if k != "label"}
    if out.get("inputmode") == "decimal":
        out["type"] = "text"
        out.pop("step", None)
        out["autocomplete"] = "off"
    return out


@web.app_template_filter("local_input")
def local_input(value: Any, attrs: dict[str, str]) -> str:
    """A stored date-time with offset as a ``datetime-local`` input shows it:
    the wall time as it was typed (the script adds the phone's offset again)."""
    text = "" if value is None else str(value)
    return text[:16] if attrs.get("data-append-offset") and len(text) > 16 else text


@web.app_template_filter("replace_index")
def replace_index(leaf: dict[str, Any], index: int) -> dict[str, Any]:
    """A leaf of the entry template as row ``index`` (the empty row a fresh
    form offers, so time can be typed without the script too)."""
    return {**leaf, "name": leaf["name"].replace("__index__", str(index)),
            "path": leaf["path"].replace("__index__", str(index))}


def _form_of(loaded: LoadedCase, form_id: str) -> Form:
    form = loaded.bundle.form(form_id)
    if form is None or form_id not in loaded.case_type.forms:
        abort(404, "This case has no such form.")
    return form


def may_capture(actor: Actor, loaded: LoadedCase) -> bool:
    """Whether to offer the buttons (the service decides for real)."""
    return actor.has_any("coordinator", "admin") or (
        actor.has_any("technician") and loaded.case.assignee_id == actor.user_id)


def _is_closed(loaded: LoadedCase) -> bool:
    state = loaded.case_type.lifecycle.state(loaded.case.status)
    return state is not None and state.final


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def finishing_step(actor: Actor, loaded: LoadedCase, form: Form) -> Transition | None:
    """The step this form is the last missing report for (Complete), which the
    page offers as "Submit and complete": one tap instead of two."""
    done = final_forms_of(loaded.case)
    for t in loaded.case_type.lifecycle.transitions_from(loaded.case.status):
        others = set(t.requires_forms) - {form.id}
        if form.id in t.requires_forms and others <= done and actor.has_any(*t.roles) \
                and is_work_complete_or_later(loaded.case_type, t.to):
            return t
    return None


def _next_form(loaded: LoadedCase, form: Form) -> Form | None:
    """The case's next form nobody has submitted yet, after this one."""
    done = final_forms_of(loaded.case)
    return next((f for f in loaded.bundle.forms_of(loaded.case_type.id)
                 if f.id != form.id and f.id not in done), None)


def _render(loaded: LoadedCase, form: Form, ctx: dict[str, Any], latest: Submission | None,
            *, mode: str, reason: str = "", status: int = 200,
            message: str | None = None) -> tuple[str, int]:
    actor = current_actor()
    return render_template(
        "capture.html", case=loaded.case, case_type=loaded.case_type, form=form, ctx=ctx,
        latest=latest, mode=mode, reason=reason, message=message,
        finishing=finishing_step(actor, loaded, form) if mode == "fill" else None,
        signer_mirrors=signer_name_fields(form),
        can_capture=may_capture(actor, loaded) and not _is_closed(loaded),
        author=names_by_email(actor).get(latest.author, latest.author) if latest else None,
        revision=latest.revision if latest else 0), status


@web.get("/cases/<int:case_id>/forms/<form_id>")
def capture_page(case_id: int, form_id: str) -> Any:
    loaded = load_case(current_actor(), case_id)
    form = _form_of(loaded, form_id)
    latest = latest_revision(loaded.case, form_id)
    form_class = build_form_class(form, loaded.bundle)
    if latest is None:
        instance = form_class(None, draft=True)
    else:
        instance = form_class(encode_formdata(form, latest.data), draft=True)
        if latest.kind not in FINAL_KINDS:
            instance.validate()  # shows what the saved draft still lacks
    is_final = latest is not None and latest.kind in FINAL_KINDS
    mode = ("correct" if request.args.get("correct") else "final") if is_final else "fill"
    return _render(loaded, form, template_context(form, loaded.bundle, instance), latest,
                   mode=mode)


def _refuse(loaded: LoadedCase, form: Form, instance: Any, latest: Submission | None, mode: str,
            errors: list[dict[str, str]], *, status: int, message: str) -> Any:
    if wants_json():
        return jsonify(ok=False, message=message, errors=errors), status
    ctx = template_context(form, loaded.bundle, instance)
    merge_errors(ctx, errors)
    return _render(loaded, form, ctx, latest, mode=mode, status=status, message=message,
                   reason=request.form.get("_reason", ""))


def _would_raise(blockers: list[str]) -> str:
    """The draft's rule preview, so the technician fixes it before sending."""
    return f" If you submit it now: {'; '.join(blockers)}." if blockers else ""


def _stored(loaded: LoadedCase, form: Form, result: SubmissionResult,
            then: Transition | None = None) -> Any:
    s = result.submission
    if s.kind == "draft":
        missing = len(result.warnings)
        text = (f"Draft saved (revision {s.revision})." +
                (f" Still missing before it can be submitted: {missing}." if missing else
                 " It is complete: submit it when you are done.") +
                _would_raise(result.evaluation.get("preview", {}).get("blockers", [])))
        target = url_for("web.capture_page", case_id=loaded.case.id, form_id=form.id)
    else:
        verb = "Correction saved" if s.kind == "correction" else "Sent"
        text = f"{verb}: {form.title}, revision {s.revision}."
        target = url_for("web.case_page", case_id=loaded.case.id, _anchor="reports")
        following = _next_form(loaded, form) if s.kind == "final" else None
        if then is not None and s.kind == "final":
            text += " " + _then_step(loaded, then)
            target = url_for("web.case_page", case_id=loaded.case.id)
        elif following is not None:  # the technician goes on to the next report
            text += f" Next: {following.title}."
            target = url_for("web.capture_page", case_id=loaded.case.id, form_id=following.id)
    flash(text, "success")
    if wants_json():
        return jsonify(ok=True, kind=s.kind, revision=s.revision, submission_id=s.id,
                       warnings=service_errors(result.warnings), message=text,
                       redirect=target), 201
    return redirect(target)


def _then_step(loaded: LoadedCase, transition: Transition) -> str:
    """"Submit and complete": the step after the report is stored, through the
    same service as the case page; refused, it says why and the report stays sent."""
    try:
        transition_case(current_actor(), loaded.case.id, transition.id)
    except (Conflict, ValidationFailed) as err:
        unmet = [u["message"] for u in getattr(err, "extra", {}).get("unmet", [])]
        return f"{transition.label} is not possible yet: {'; '.join(unmet) or err.message}."
    return f"Done: {transition.label}."


def _errors_of(instance: Any) -> list[dict[str, str]]:
    return [{"path": e.path, "message": e.message}
            for e in form_errors_to_paths(instance)]


@web.post("/cases/<int:case_id>/forms/<form_id>")
@idempotent
def capture_post(case_id: int, form_id: str) -> Any:
    actor = current_actor()
    loaded = load_case(actor, case_id)
    form = _form_of(loaded, form_id)
    latest = latest_revision(loaded.case, form_id)
    action = request.form.get("_action", "draft")
    if action not in ACTIONS:
        abort(400, "Use the form's buttons: Save draft, Submit or Save correction.")
    mode = "correct" if action == "correct" else "fill"
    # "Submit and complete": the step is worked out here again, never taken from the post
    then = finishing_step(actor, loaded, form) if action == "final_then" else None
    instance = build_form_class(form, loaded.bundle)(
        posted_formdata(form, request.form.items(multi=True)), draft=action == "draft")
    instance.validate()
    errors = _errors_of(instance)
    reason = request.form.get("_reason", "").strip()
    if action == "correct" and not reason:
        errors.append({"path": REASON_PATH, "message": REASON_MISSING})
    if errors:
        return _refuse(loaded, form, instance, latest, mode, errors, status=422,
                       message=NOT_SAVED)
    data = data_from_wtforms(instance)
    try:
        if action == "correct":
            if latest is None:
                raise Conflict("there is nothing to correct yet: submit the report first")
            result = correct_submission(actor, latest.id, data, reason)
        else:
            result = submit_form(actor, case_id, form.id, data, draft=action == "draft")
    except ValidationFailed as err:
        return _refuse(loaded, form, instance, latest, mode, service_errors(err.errors),
                       status=422, message=NOT_SAVED)
    except (Conflict, Forbidden) as err:
        status = 403 if isinstance(err, Forbidden) else 409
        text = f"Nothing was saved: {err.message}."
        return _refuse(loaded, form, instance, latest_revision(loaded.case, form_id), mode, [],
                       status=status, message=text)
    return _stored(loaded, form, result, then)

