"""The admin's definition versions: the list, one version's text, starting a draft
and retiring a version.

Every change goes through the services the API calls (``definition_drafts``), so
a page refuses exactly what the API refuses, with the same sentence. The text of
a version is shown exactly as stored, comments and all, with line numbers that
its warnings link to. Admins only, like every page under /admin; another
tenant's version numbers answer 404 like missing ones.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.models import DefinitionVersion, VersionStatus
from workorders.platform.permissions import Action, require
from workorders.platform.services import definition_drafts as drafts
from workorders.platform.services.definitions import get_version, list_versions
from workorders.platform.web import web
from workorders.platform.web.lookups import names_by_email

EDIT_ENDPOINT = "web.definition_edit"


class PostForm(FlaskForm):
    """Only the CSRF token: what to act on is in the URL or in plain fields."""


@web.app_template_global("url_if_installed")
def url_if_installed(endpoint: str, **values: Any) -> str | None:
    """A page of another module (the editor, a simulation's result), or None while
    that module is not registered: links to it are left out instead of failing."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@web.app_template_global("edit_url")
def edit_url(number: int) -> str | None:
    """The edit page of a draft, or None while the editor is not installed."""
    return url_if_installed(EDIT_ENDPOINT, n=number)


def _after_new_draft(version: DefinitionVersion) -> Response:
    origin = f", started from {version.based_on}" if version.based_on else ""
    flash(f"Version {version.number} is a new draft{origin}. Nothing changes for cases "
          "until it is published.", "success")
    target = edit_url(version.number) or url_for("web.definition_view", n=version.number)
    return redirect(target)


def _expired(target: str) -> Response:
    flash("The form expired. Reload the page and try again.", "error")
    return redirect(target)


@web.get("/definitions")
@require(Action.CHECK_DEFINITIONS)
def definitions_redirect() -> Any:
    return redirect(url_for("web.definitions_list"))


@web.get("/admin/definitions")
@require(Action.CHECK_DEFINITIONS)
def definitions_list() -> Any:
    actor = current_actor()
    versions = sorted(list_versions(actor.tenant_id), key=lambda v: -v.number)
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED.value), None)
    return render_template("admin/definitions.html", versions=versions, published=published,
                           examples=drafts.example_bundles(), names=names_by_email(actor))


@web.get("/admin/definitions/<int:n>")
@require(Action.CHECK_DEFINITIONS)
def definition_view(n: int) -> Any:
    actor = current_actor()
    version = get_version(actor.tenant_id, n)
    lines = version.source_text.splitlines() or [""]
    warned: dict[int, list[dict[str, Any]]] = {}
    for warning in version.warnings or []:
        line = warning.get("line")
        if isinstance(line, int) and 1 <= line <= len(lines):
            warned.setdefault(line, []).append(warning)
    return render_template("admin/definition_view.html", version=version, lines=lines,
                           warned=warned, compare_with=_compare_with(actor.tenant_id, n),
                           form=PostForm(), names=names_by_email(actor))


def _compare_with(tenant_id: int, number: int) -> DefinitionVersion | None:
    """The version a version is best compared with: the published one, or for the
    published one itself the newest version before it (what publishing it changed)."""
    others = [v for v in list_versions(tenant_id) if v.number != number]
    published = next((v for v in others if v.status == VersionStatus.PUBLISHED.value), None)
    if published is not None:
        return published
    older = [v for v in others if v.number < number]
    return older[-1] if older else None


@web.post("/admin/definitions/<int:n>/drafts")
@require(Action.CHECK_DEFINITIONS)
def definition_new_draft(n: int) -> Any:
    actor = current_actor()
    get_version(actor.tenant_id, n)  # another tenant's number: 404 before anything else
    if not PostForm().validate_on_submit():
        return _expired(url_for("web.definition_view", n=n))
    version = drafts.start_draft(actor.tenant_id, actor.email, from_version=n)
    return _after_new_draft(version)


@web.post("/admin/definitions/examples/<name>/drafts")
@require(Action.CHECK_DEFINITIONS)
def definition_draft_from_example(name: str) -> Any:
    if not PostForm().validate_on_submit():
        return _expired(url_for("web.definitions_list"))
    actor = current_actor()
    return _after_new_draft(drafts.start_draft(actor.tenant_id, actor.email, from_example=name))


@web.post("/admin/definitions/drafts")
@require(Action.CHECK_DEFINITIONS)
def definition_draft_from_choice() -> Any:
    """The list's "Start a new draft" selects: ``version`` (a number) or ``example``
    (a name). A bad choice is a flashed sentence, and nothing is created."""
    back = url_for("web.definitions_list")
    if not PostForm().validate_on_submit():
        return _expired(back)
    actor = current_actor()
    number, example = request.form.get("version", "").strip(), request.form.get("example", "")
    try:
        if number:
            if not number.isdigit() or len(number) > 9:
                raise ValidationFailed(f"“{number[:40]}” is not a version number")
            version = drafts.start_draft(actor.tenant_id, actor.email,
                                         from_version=int(number))
        elif example:
            version = drafts.start_draft(actor.tenant_id, actor.email, from_example=example)
        else:
            raise ValidationFailed("choose a version or an example to start from")
    except (NotFound, ValidationFailed, Conflict) as exc:
        flash(f"No draft was started: {exc.message.rstrip('.')}.", "error")
        return redirect(back)
    return _after_new_draft(version)


@web.route("/admin/definitions/<int:n>/retire", methods=["GET", "POST"])
@require(Action.CHECK_DEFINITIONS)
def definition_retire(n: int) -> Any:
    """GET asks to confirm; POST retires through the service, whose refusal (the
    published version, a version cases are on) is flashed as it is worded."""
    actor = current_actor()
    version = get_version(actor.tenant_id, n)
    form = PostForm()
    if request.method == "GET":
        return render_template("admin/definition_retire.html", version=version, form=form)
    if not form.validate_on_submit():
        return _expired(url_for("web.definition_retire", n=n))
    try:
        drafts.retire_version(actor.tenant_id, n, actor.email)
    except Conflict as exc:
        flash(f"Version {n} was not retired: {exc.message.rstrip('.')}.", "error")
        return redirect(url_for("web.definition_view", n=n))
    flash(f"Version {n} is retired. It stays in the list and can still be viewed, compared "
          "and copied into a new draft.", "success")
    return redirect(url_for("web.definitions_list"))
