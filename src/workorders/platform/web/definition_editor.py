"""The definition editor: an admin edits a draft's YAML in the browser.

The text is the source of truth. The page is a plain form (a textarea, the
revision it was loaded at, and Check and Save buttons) that works without
JavaScript; ``static/js/editor.js`` turns it into a code editor that checks as
the admin types and saves by itself. Both ways go through the same two services
as the API: the bundle's checks (``check_bundle`` + golden tests, under the
check budget) and ``save_draft``, which refuses a save made against an older
revision (412), so two admins on one draft never overwrite each other silently.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField, TextAreaField

from workorders.definitions import MAX_BUNDLE_BYTES
from workorders.definitions.check_budget import CheckBudgetExceeded
from workorders.errors import PreconditionFailed, WorkordersError
from workorders.platform.actor import Actor
from workorders.platform.auth import current_actor
from workorders.platform.input_guard import parse_json
from workorders.platform.models import DefinitionVersion, VersionStatus
from workorders.platform.permissions import Action, require
from workorders.platform.problems import problem, status_of_error
from workorders.platform.services import definitions as svc
from workorders.platform.services.definition_drafts import (
    DraftSave,
    editor_text,
    etag_of,
    save_draft,
)
from workorders.platform.web import web
from workorders.platform.web.definition_panels import PANEL_NAMES, panel_context
from workorders.platform.web.lookups import names_by_email

#: a JSON body holds the text once, escaped: room for a bundle at the validator's
#: limit, so an oversized one gets the validator's sentence rather than a bare 413
REQUEST_LIMIT = 3 * MAX_BUNDLE_BYTES
#: the see-it panels beside the text (web/definition_panels.py renders each), by name
PANEL_TITLES = {"lifecycle": "Lifecycle", "forms": "Forms", "rules": "Rules",
                "connectors": "Connectors", "tests": "Golden tests", "simulate": "Simulate",
                "messages": "Messages"}
STALE = ("Another admin saved this draft while you were editing. Your text is kept here and "
         "was not saved; reload to see theirs (your changes will be lost) or copy yours first.")


class EditorForm(FlaskForm):
    """The no-JavaScript editor: the text, and the revision it was loaded at
    (sent back as If-Match, so a save over someone else's newer one is refused)."""

    text = TextAreaField("Definition (YAML)")
    revision = HiddenField()


def live_check(tenant_id: int, text: str) -> dict[str, Any]:
    """What the API's validate answers, for text that is not stored: errors and
    warnings with their lines, and the golden tests (none while it has errors)."""
    with svc.checks_budget():
        result = svc.check_bundle(text, tenant_id=tenant_id)
        tests = svc.golden_results(result)
    return {"valid": result.valid, "errors": svc.problems_of(result),
            "warnings": [w.to_dict() for w in result.warnings],
            "tests": tests, "tests_passed": all(t["passed"] for t in tests)}


def _checked(tenant_id: int, text: str) -> dict[str, Any]:
    """``live_check`` for the page: checks past the budget are listed as the one
    problem instead of replacing the editor with an error page."""
    try:
        return live_check(tenant_id, text)
    except CheckBudgetExceeded as exc:
        return {"valid": False, "warnings": [], "tests": [], "tests_passed": False,
                "errors": [{"path": "", "line": None, "column": None, "message": exc.message,
                            "hint": None}]}


@web.get("/admin/definitions/<int:n>/edit")
@require(Action.CHECK_DEFINITIONS)
def definition_edit(n: int) -> Any:
    actor = current_actor()
    version = svc.get_version(actor.tenant_id, n)
    if version.status != VersionStatus.DRAFT.value:
        flash(f"Version {n} is {version.status}; only a draft can be edited. Start a new draft "
              "from it to change it.", "info")
        return redirect(url_for("web.definition_view", n=n))
    text = editor_text(version)
    form = EditorForm(formdata=None, text=text, revision=str(version.revision))
    return _page(actor, version, form, _checked(actor.tenant_id, text))


@web.post("/admin/definitions/check")
@require(Action.CHECK_DEFINITIONS)
def definition_check() -> Any:
    """The live check: ``{text}`` in, ``{valid, errors, warnings, tests, tests_passed}``
    out; nothing is stored."""
    try:
        text = _json_text()
        return live_check(current_actor().tenant_id, text)
    except WorkordersError as err:
        return _json_problem(err)


@web.post("/admin/definitions/<int:n>/save")
@require(Action.CHECK_DEFINITIONS)
def definition_save(n: int) -> Any:
    """Autosave (JSON ``{text}`` with If-Match) or the no-JS form's Check or Save."""
    if request.is_json:
        return _save_json(n)
    actor = current_actor()
    version = svc.get_version(actor.tenant_id, n)
    form = EditorForm()
    text = form.text.data or ""
    if version.status != VersionStatus.DRAFT.value:  # e.g. published while they typed
        return _page(actor, version, form, _checked(actor.tenant_id, text), status=409,
                     notice=("error", f"Not saved: version {n} is {version.status} now, and "
                                      "only a draft can be changed. Your text is kept here: "
                                      f"copy it, then start a new draft from version {n}."))
    if request.form.get("action") != "save":
        return _page(actor, version, form, _checked(actor.tenant_id, text),
                     notice=("info", "Checked. Nothing is saved until you press Save."))
    revision = (form.revision.data or "").strip()
    try:
        saved = save_draft(actor.tenant_id, n, text, actor.email,
                           if_match=f'"r{revision}"' if revision.isdigit() else None)
    except PreconditionFailed:
        return _page(actor, version, form, _checked(actor.tenant_id, text), status=412)
    except WorkordersError as err:
        return _page(actor, version, form, _checked(actor.tenant_id, text),
                     notice=("error", f"Not saved: {err.message}."),
                     status=status_of_error(err)[0])
    flash(_saved_sentence(saved), "success" if saved.valid else "info")
    return redirect(url_for("web.definition_edit", n=n))


def _saved_sentence(saved: DraftSave) -> str:
    if saved.valid:
        return f"Saved as revision {saved.version.revision}. It validates."
    return (f"Saved as revision {saved.version.revision}, with {len(saved.errors)} error(s) to "
            "fix before it can be published; the panels show the last version that validated.")


def _save_json(n: int) -> Response:
    actor = current_actor()
    try:
        text = _json_text()
        saved = save_draft(actor.tenant_id, n, text, actor.email,
                           if_match=request.headers.get("If-Match"))
    except PreconditionFailed as err:
        return problem(412, "Precondition failed", STALE, reason=err.message)
    except WorkordersError as err:
        return _json_problem(err)
    version = saved.version
    resp = jsonify(version=version.number, revision=version.revision, valid=saved.valid,
                   errors=saved.errors, warnings=saved.warnings)
    resp.headers["ETag"] = etag_of(version)
    return resp


def _json_text() -> str:
    """The ``text`` of a JSON body, refused (as a problem) when it is not one."""
    request.max_content_length = REQUEST_LIMIT
    try:
        raw = request.get_data(cache=True)
    except HTTPException as exc:
        raise _Refused(exc.code or 400, exc.description or "the body is too large") from exc
    if not request.is_json:
        raise _Refused(415, "send the text as JSON: {\"text\": \"...\"}")
    body = parse_json(raw)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise _Refused(422, "the body must be a JSON object with the definition as \"text\"")
    return str(body["text"])


_TITLES = {413: "Content too large", 415: "Unsupported media type", 422: "Invalid data"}


class _Refused(WorkordersError):
    """A request the JSON endpoints cannot read, with the status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json_problem(err: WorkordersError) -> Response:
    from workorders.platform.problems import ApiProblem

    if isinstance(err, _Refused):
        return problem(err.status, _TITLES.get(err.status, "Bad request"), err.message)
    if isinstance(err, ApiProblem):
        return problem(err.status, err.title, err.detail or err.message,
                       **({"errors": err.errors} if err.errors is not None else {}))
    status, title, extra = status_of_error(err)
    return problem(status, title, err.message, **extra)


def _page(actor: Actor, version: DefinitionVersion, form: EditorForm, check: dict[str, Any], *,
          notice: tuple[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    """The editor holding ``form``'s text, which after a refused or checked POST is
    what the admin typed (never lost), at the revision their page was loaded at."""
    revision = (form.revision.data or "").strip()
    html = render_template(
        "admin/definition_edit.html", version=version, form=form, check=check, notice=notice,
        etag=f'"r{revision}"' if revision.isdigit() else etag_of(version),
        unsaved=(form.text.data or "") != editor_text(version),
        author=names_by_email(actor).get(version.author, version.author),
        published=svc.current_version(actor.tenant_id), panels=_panels(actor, version),
        vocabulary_url=url_for("web.definition_vocabulary", n=version.number),
        stale=status == 412)
    return html, status


def _panels(actor: Actor, version: DefinitionVersion) -> list[tuple[str, str, str, Markup]]:
    """Each see-it panel rendered for the draft's last valid text, so the page shows
    them without JavaScript (the script re-fetches them after each valid save):
    ``(name, title, fragment url, html)``."""
    return [(name, PANEL_TITLES[name], url_for("web.definition_panel", n=version.number,
                                                name=name),
             Markup(render_template(f"admin/_panel_{name}.html",
                                    **panel_context(name, actor, version))))
            for name in PANEL_NAMES]
