"""Publishing a draft from the browser: a confirmation page that says what will
change before anything does, and a required comment that says why.

The page reads ``publish_summary`` (the changes against the published version,
the golden tests, how many open cases stay where they are) and the draft's last
simulation; the POST goes through ``publish_version`` like the API's, and any
refusal (a failing golden test, an invalid or unsaved draft, not a draft, the
checks budget) is shown with the service's own message, so the page and the API
never word one refusal two ways.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from workorders.errors import ValidationFailed, WorkordersError
from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import DefinitionVersion, Task
from workorders.platform.permissions import Action, require
from workorders.platform.services.definition_drafts import cases_by_version, publish_summary
from workorders.platform.services.definitions import (
    MAX_COMMENT,
    get_version,
    publish_refusal,
    publish_version,
)
from workorders.platform.web import web
from workorders.platform.web.definition_diff import change_sections

#: simulations looked at for a version's latest (they are few: one per click)
RECENT_SIMULATIONS = 50


class PublishForm(FlaskForm):
    comment = TextAreaField("What does this version change, and why?", validators=[
        DataRequired("Write what this version changes, so the history says why it was "
                     "published.")])


def last_simulation(tenant_id: int, number: int) -> Task | None:
    """The newest simulation task of version ``number`` (queued, running or done)."""
    tasks = db.session.execute(select(Task).where(Task.tenant_id == tenant_id,
                                                  Task.kind == "simulation")
                               .order_by(Task.id.desc()).limit(RECENT_SIMULATIONS)).scalars()
    return next((t for t in tasks if (t.params or {}).get("version") == number), None)


def refusal(version: DefinitionVersion, summary: dict[str, Any]) -> str | None:
    """Why publishing would be refused now, or None, in the service's own words."""
    errors = [str(e.get("message", "")) for e in summary.get("errors") or []]
    if not summary.get("valid", False) and not errors:
        errors = ["the bundle does not validate"]
    blocker = publish_refusal(version, errors=errors, tests=summary.get("tests") or [])
    return blocker.message if blocker is not None else None


def _page(version: DefinitionVersion, form: PublishForm, *, error: str | None = None,
          status: int = 200) -> Any:
    tenant_id = current_actor().tenant_id
    summary = publish_summary(tenant_id, version.number)
    blocked = refusal(version, summary)
    return render_template(
        "admin/definition_publish.html", version=version, summary=summary, form=form,
        sections=change_sections(summary.get("diff") or {}), refusal=blocked, error=error,
        simulation=last_simulation(tenant_id, version.number),
        max_comment=MAX_COMMENT), status


@web.route("/admin/definitions/<int:n>/publish", methods=["GET", "POST"])
@require(Action.CHECK_DEFINITIONS)
def definition_publish(n: int) -> Any:
    actor = current_actor()
    version = get_version(actor.tenant_id, n)
    form = PublishForm()
    if not form.is_submitted():
        return _page(version, form)
    if not form.validate():
        return _page(version, form, status=422)
    try:
        publish_version(actor.tenant_id, n, actor.email, comment=form.comment.data.strip())
    except WorkordersError as exc:  # the API's refusal, worded as the API words it
        db.session.rollback()
        status = 422 if isinstance(exc, ValidationFailed) else 409  # the API's statuses too
        return _page(get_version(actor.tenant_id, n), form, error=exc.message, status=status)
    flash(f"Version {n} is published: new cases are booked under it; open cases stay on "
          "the version they started with." + _open_elsewhere(actor.tenant_id, n), "success")
    return redirect(url_for("web.definitions_list"))


def _open_elsewhere(tenant_id: int, number: int) -> str:
    """Where the open cases on older versions are, and how to move them (issue 14)."""
    open_on = {v: c["open"] for v, c in cases_by_version(tenant_id).items()
               if v != number and c["open"]}
    if not open_on:
        return ""
    total = sum(open_on.values())
    where = ", ".join(f"version {v}" for v in sorted(open_on))
    return (f" {total} open case{'' if total == 1 else 's'} "
            f"{'stays' if total == 1 else 'stay'} on {where}: move "
            f"{'it' if total == 1 else 'them'} with “Move open cases here…” beside version "
            f"{number}.")
