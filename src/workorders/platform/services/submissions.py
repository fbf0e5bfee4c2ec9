"""Form submissions: drafts, the final submission, and corrections with a reason.

Every revision is a new row in the (case, form) lineage; nothing is
overwritten. A draft accepts incomplete data and answers what is still
missing; a final submission is strict; after it, only a correction (with a
reason) changes the data. Photos and signatures must be attachments of the
same case. After each stored submission, ``after_submission`` is the one seam
where the rules engine runs: a correction like a submission, a draft only as a
preview (unless a rule is written ``on: [draft]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import Form
from workorders.errors import Conflict, Forbidden, ValidationFailed
from workorders.forms import validate_submission
from workorders.forms.words import with_place
from workorders.platform.actor import Actor
from workorders.platform.core_insert import insert_now
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import Attachment, Case, Submission, SubmissionKind
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase, load_case
from workorders.platform.services.case_state import (
    FINAL_KINDS,
    final_forms,
    latest_submissions,
    note_inserted,
)
from workorders.platform.services.export_triggers import reissue_changed_invoices
from workorders.platform.services.rule_facts import latest_finals
from workorders.platform.services.unit_of_work import transaction

#: built once: which of the attachment ids a report names are the case's
_CASE_ATTACHMENTS = select(Attachment.id).where(
    Attachment.tenant_id == bindparam("tenant_id"), Attachment.case_id == bindparam("case_id"),
    Attachment.id.in_(bindparam("ids", expanding=True)))


@dataclass
class SubmissionResult:
    submission: Submission
    warnings: list[dict[str, str]]
    evaluation: dict[str, Any] = field(default_factory=dict)


def final_forms_of(case: Case) -> frozenset[str]:
    return final_forms(case.tenant_id, case.id)


def latest_revision(case: Case, form_id: str) -> Submission | None:
    return latest_submissions(case.tenant_id, case.id).get(form_id)


def _may_capture(actor: Actor, loaded: LoadedCase, correction: bool) -> None:
    """Coordinators and admins always; the assigned technician on an open case."""
    if actor.has_any("coordinator", "admin"):
        return
    case = loaded.case
    if not actor.has_any("technician") or case.assignee_id != actor.user_id:
        raise Forbidden("only the assigned technician or a coordinator may fill in this "
                        "case's forms")
    if correction and is_work_complete_or_later(loaded.case_type, case.status):
        raise Forbidden("the work is done: ask a coordinator to correct this report")


def _form_of(loaded: LoadedCase, form_id: str) -> Form:
    form = loaded.bundle.form(form_id)
    if form is None or form_id not in loaded.case_type.forms:
        known = ", ".join(loaded.case_type.forms)
        raise ValidationFailed("unknown form", [{
            "path": "/form", "message": f"'{form_id}' is not a form of this case; use: {known}"}])
    return form


def _check(loaded: LoadedCase, form: Form, data: Any, *, draft: bool) -> tuple[dict[str, Any],
                                                                            list[dict[str, str]]]:
    check = validate_submission(form, loaded.bundle, data, draft=draft)
    # the pointer stays the machine's; the message names the place in the form's
    # labels for a person reading it away from the input ("Time, row 1: Hours — ...")
    errors: list[dict[str, Any]] = [{"path": "/data" + e.path,
                                     "message": with_place(e.path, e.message, form)}
                                    for e in check.errors]
    cleaned = dict(check.cleaned)
    errors += _attachment_errors(loaded, form, cleaned)
    if errors:
        raise ValidationFailed("the form has errors; nothing was stored", errors)
    return cleaned, [{"path": "/data" + w.path, "message": with_place(w.path, w.message, form)}
                     for w in check.warnings]


def _attachment_errors(loaded: LoadedCase, form: Form,
                       data: dict[str, Any]) -> list[dict[str, Any]]:
    refs: list[tuple[str, str]] = []
    for f in form.fields:
        value = data.get(f.id)
        if f.type == "photos" and isinstance(value, list):
            refs += [(f"/data/{f.id}/{i}", str(v)) for i, v in enumerate(value)]
        elif f.type == "signature" and isinstance(value, dict) and value.get("image"):
            refs.append((f"/data/{f.id}/image", str(value["image"])))
    if not refs:
        return []
    known = set(db.session.connection().execute(_CASE_ATTACHMENTS, {
        "tenant_id": loaded.case.tenant_id, "case_id": loaded.case.id,
        "ids": [r for _, r in refs]}).scalars())
    return [{"path": path, "message": f"'{ref}' is not an attachment of this case; upload the "
                                       "file to this case first"}
            for path, ref in refs if ref not in known]


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any],
                                                                           dict[str, Any]]:
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def submit_form(actor: Actor, case_id: int, form_id: str, data: Any, *,
                draft: bool) -> SubmissionResult:
    with transaction() as session:
        loaded = load_case(actor, case_id, lock=True)
        _may_capture(actor, loaded, correction=False)
        form = _form_of(loaded, form_id)
        state = loaded.case_type.lifecycle.state(loaded.case.status)
        if state is not None and state.final:
            raise Conflict(f"the case is {state.label.lower()}; its forms are closed")
        latest = latest_revision(loaded.case, form_id)
        if latest is not None and latest.kind in FINAL_KINDS:
            raise Conflict(f"'{form.title}' was already submitted (revision {latest.revision}); "
                           f"send a correction with a reason to change it")
        cleaned, warnings = _check(loaded, form, data, draft=draft)
        kind = SubmissionKind.DRAFT if draft else SubmissionKind.FINAL
        submission = Submission(
            tenant_id=actor.tenant_id, case_id=case_id, form_id=form_id,
            definition_version_id=loaded.case.definition_version_id,
            revision=(latest.revision + 1) if latest else 1, kind=kind.value, data=cleaned,
            warnings=warnings, previous_id=latest.id if latest else None, author=actor.email)
        insert_now(session, submission)  # one INSERT, no unit of work
        note_inserted(session, submission)
        before, after = changed_fields(latest.data if latest else {}, cleaned)
        record_event(session, tenant_id=actor.tenant_id, subject_type="case", subject_id=case_id,
                     actor=actor.email, action=f"{kind.value}:{form_id}",
                     before={"revision": latest.revision if latest else None, **before},
                     after={"revision": submission.revision, **after})
        evaluation = after_submission(actor, loaded, submission,
                                      trigger="draft" if draft else "submit")
    return SubmissionResult(submission, warnings, evaluation)


def correct_submission(actor: Actor, submission_id: int, data: Any,
                       reason: str) -> SubmissionResult:
    if not reason.strip():
        raise ValidationFailed("a correction needs a reason", [{
            "path": "/reason", "message": "say why the report is corrected"}])
    original = get_for_tenant(Submission, submission_id, actor.tenant_id)
    with transaction() as session:
        loaded = load_case(actor, original.case_id, lock=True)
        _may_capture(actor, loaded, correction=True)
        if actor.has_any("technician") and not actor.has_any("coordinator", "admin") \
                and original.author != actor.email:
            raise Forbidden("technicians correct only their own reports")
        # no draft follows a final report, so a final's latest revision is a final
        latest = latest_finals(loaded.case).get(original.form_id) \
            if original.kind in FINAL_KINDS else latest_revision(loaded.case, original.form_id)
        if latest is None or latest.id != original.id:
            raise Conflict(f"revision {latest.revision if latest else '?'} is newer; correct "
                           "the latest revision")
        if original.kind not in FINAL_KINDS:
            raise Conflict("a draft is not corrected: submit it as final instead")
        form = _form_of(loaded, original.form_id)
        cleaned, warnings = _check(loaded, form, data, draft=False)
        submission = Submission(
            tenant_id=actor.tenant_id, case_id=original.case_id, form_id=original.form_id,
            definition_version_id=loaded.case.definition_version_id,
            revision=original.revision + 1, kind=SubmissionKind.CORRECTION.value, data=cleaned,
            warnings=warnings, reason=reason.strip(), previous_id=original.id, author=actor.email)
        insert_now(session, submission)  # one INSERT, no unit of work
        note_inserted(session, submission)
        before, after = changed_fields(original.data, cleaned)
        record_event(session, tenant_id=actor.tenant_id, subject_type="case",
                     subject_id=original.case_id, actor=actor.email,
                     action=f"correction:{original.form_id}",
                     before={"revision": original.revision, **before},
                     after={"revision": submission.revision, **after}, comment=reason.strip())
        evaluation = after_submission(actor, loaded, submission, trigger="correct")
        reissue_changed_invoices(session, loaded)
    return SubmissionResult(submission, warnings, evaluation)


def after_submission(actor: Actor, loaded: LoadedCase, submission: Submission, *,
                     trigger: str) -> dict[str, Any]:
    """The rules run here, inside the submission's transaction: what they raise
    commits with the submission, and an engine failure fails closed without
    losing it (see services.rules_runtime). A draft stores only what rules on
    ``draft`` ask for and answers a ``preview`` of what submitting it would raise."""
    from workorders.platform.services.readiness import invoice_blockers
    from workorders.platform.services.rule_preview import preview_rules
    from workorders.platform.services.rules_runtime import run_rules

    report = run_rules(db.session(), actor, loaded, trigger, submission=submission)
    blockers = invoice_blockers(loaded)
    preview = {"preview": preview_rules(actor, loaded, submission)} if trigger == "draft" else {}
    return {"trigger": trigger, **report.to_dict(), **preview,
            "invoice": {"ready": not blockers, "blockers": [b.to_dict() for b in blockers]}}


def list_submissions(actor: Actor, case_id: int) -> list[Submission]:
    load_case(actor, case_id)
    return list(db.session.execute(select(Submission).where(
        Submission.tenant_id == actor.tenant_id, Submission.case_id == case_id)
        .order_by(Submission.form_id, Submission.revision)).scalars())


def get_submission(actor: Actor, submission_id: int) -> Submission:
    return get_for_tenant(Submission, submission_id, actor.tenant_id)
