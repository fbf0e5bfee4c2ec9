"""The people page (``/admin/people``): an admin invites a person, changes members'
roles and names, sends an invitation again and removes a member.

Every change goes through the same services as the API (``accounts.add_member``,
``people.change_member``, ``people.remove_member``), so the page refuses what the
API refuses, with the same sentence, and each change is audited the same way. The
admin never types a password: an invited person chooses their own through the
signed link in their welcome email. Removing asks for confirmation on a page of
its own that says what will happen, so it works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, StringField

from workorders.errors import Conflict, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import ROLES, ApiToken
from workorders.platform.permissions import Action, require
from workorders.platform.services.accounts import (
    EMAIL_MAX,
    NAME_MAX,
    add_member,
    list_members,
    member_by_email,
    send_welcome_again,
)
from workorders.platform.services.people import change_member, remove_member
from workorders.platform.web import web

ROLE_WORDS = {
    "admin": "changes definitions, people, tokens and secrets",
    "coordinator": "books, schedules and approves work, exports invoices",
    "technician": "does the jobs assigned to them and fills in their forms",
    "viewer": "reads cases and reports, changes nothing",
}
EXPIRED = "The form expired. Reload the page and try again."


class InviteForm(FlaskForm):
    """The rules for email, name and roles live in the service: the API and this page
    must refuse the same things with the same words."""

    email = EmailField("Email")
    name = StringField("Name")


class ActionForm(FlaskForm):
    """Only the CSRF token: the member is in the URL, roles come as checkboxes."""


def _roles_sent() -> list[str]:
    return request.form.getlist("roles")


def _render(status: int = 200, invite: InviteForm | None = None,
            invite_roles: list[str] | None = None) -> Any:
    actor = current_actor()
    return render_template(
        "admin/people.html", members=list_members(actor.tenant_id), roles=ROLES,
        role_words=ROLE_WORDS, invite=invite or InviteForm(formdata=None),
        invite_roles=invite_roles if invite_roles is not None else ["technician"],
        action_form=ActionForm(), name_max=NAME_MAX, email_max=EMAIL_MAX), status


@web.get("/admin/people")
@require(Action.MANAGE_PEOPLE)
def people_page() -> Any:
    return _render()


@web.post("/admin/people")
@require(Action.MANAGE_PEOPLE)
def people_invite() -> Any:
    form = InviteForm()
    if not form.validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("web.people_page"))
    actor = current_actor()
    roles = _roles_sent()
    try:
        membership = add_member(actor.tenant_id, form.email.data or "", roles,
                                actor=actor.email, name=form.name.data or "")
    except (ValidationFailed, Conflict) as exc:
        flash(f"Nobody was invited: {exc.message}.", "error")
        return _render(422, form, roles)
    flash(f"{membership.name or membership.user.email} was added as "
          f"{', '.join(membership.roles)}. They get a welcome email: a link to choose their "
          "password, or, if they already sign in to workorders, a note to use the password "
          "they have.", "success")
    return redirect(url_for("web.people_page"))


@web.post("/admin/people/<email>/roles")
@require(Action.MANAGE_PEOPLE)
def people_change(email: str) -> Any:
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("web.people_page"))
    actor = current_actor()
    try:  # another tenant's member is NotFound: the 404 page, as for an unknown one
        membership = change_member(actor.tenant_id, email, actor=actor.email,
                                   roles=_roles_sent(), name=request.form.get("name"))
    except (ValidationFailed, Conflict) as exc:
        flash(f"Nothing was changed for {email}: {exc.message}.", "error")
        return _render(422)
    flash(f"Saved: {membership.name or membership.user.email} is now "
          f"{', '.join(membership.roles)}.", "success")
    return redirect(url_for("web.people_page"))


@web.post("/admin/people/<email>/invitation")
@require(Action.MANAGE_PEOPLE)
def people_resend(email: str) -> Any:
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("web.people_page"))
    actor = current_actor()
    membership = send_welcome_again(actor.tenant_id, email, actor=actor.email)
    if membership.user.password_hash is None:
        flash(f"A new invitation is on its way to {membership.user.email}; its link works "
              "for 7 days.", "success")
    else:
        flash(f"{membership.user.email} has a password already, so they were only reminded "
              "to sign in.", "success")
    return redirect(url_for("web.people_page"))


@web.get("/admin/people/<email>/remove")
@require(Action.MANAGE_PEOPLE)
def people_remove_confirm(email: str) -> Any:
    actor = current_actor()
    membership = member_by_email(actor.tenant_id, email)
    live_tokens = db.session.execute(select(func.count()).select_from(ApiToken).where(
        ApiToken.tenant_id == actor.tenant_id, ApiToken.user_id == membership.user_id,
        ApiToken.revoked_at.is_(None))).scalar_one()
    return render_template("admin/people_remove.html", member=membership,
                           live_tokens=live_tokens, action_form=ActionForm(),
                           is_self=membership.user_id == actor.user_id)


@web.post("/admin/people/<email>/remove")
@require(Action.MANAGE_PEOPLE)
def people_remove(email: str) -> Any:
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(url_for("web.people_page"))
    actor = current_actor()
    try:
        removed = remove_member(actor.tenant_id, email, actor=actor.email)
    except Conflict as exc:
        flash(f"Nobody was removed: {exc.message}.", "error")
        return redirect(url_for("web.people_page"))
    tokens = (f" and {removed.tokens_revoked} API token"
              f"{'' if removed.tokens_revoked == 1 else 's'} revoked"
              if removed.tokens_revoked else "")
    flash(f"{removed.name or removed.email} was removed from {actor.tenant_name}{tokens}; "
          "they can no longer open its pages.", "success")
    return redirect(url_for("web.people_page"))
