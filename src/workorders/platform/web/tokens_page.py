"""The API tokens page (``/admin/tokens``): an admin creates a token for a member,
sees every token with its last use, and revokes one.

A new token's text is shown once, on the page that answers the create form: it is
rendered straight from that POST (never put in the session cookie or a redirect
URL) with ``Cache-Control: no-store``, and nothing stores it afterwards. Creating
and revoking go through the same service as the API and the CLI.
"""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from workorders.errors import ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services.accounts import list_members
from workorders.platform.services.api_tokens import LABEL_MAX, issue_token, revoke, tokens_of
from workorders.platform.web import web


class TokenForm(FlaskForm):
    """Label and owner are checked by the service (same words as the API)."""

    label = StringField("Label")
    user = SelectField("Acts as", validate_choice=False)


class RevokeForm(FlaskForm):
    """Only the CSRF token: the token's id is in the URL."""


def _form(*, posted: bool = False) -> TokenForm:
    """The create form, its owner choices the tenant's members (the admin by default)."""
    actor = current_actor()
    form = TokenForm() if posted else TokenForm(formdata=None)
    form.user.choices = [(m.user.email, f"{m.name or m.user.email} ({', '.join(m.roles)})")
                         for m in list_members(actor.tenant_id)]
    if not form.user.data:
        form.user.data = actor.email
    return form


def _render(form: TokenForm, status: int = 200) -> Any:
    return render_template("admin/tokens.html", tokens=tokens_of(current_actor().tenant_id),
                           form=form, revoke_form=RevokeForm(), label_max=LABEL_MAX), status


@web.get("/admin/tokens")
@require(Action.MANAGE_TOKENS)
def tokens_page() -> Any:
    return _render(_form())


@web.post("/admin/tokens")
@require(Action.MANAGE_TOKENS)
def tokens_create() -> Any:
    form = _form(posted=True)
    if not form.validate_on_submit():
        flash("The form expired. Reload the page and create the token again.", "error")
        return redirect(url_for("web.tokens_page"))
    actor = current_actor()
    try:
        token, plain = issue_token(actor.tenant_id, form.user.data or "", form.label.data or "",
                                   actor=actor.email)
    except ValidationFailed as exc:
        flash(f"No token was created: {exc.message}.", "error")
        return _render(form, 422)
    resp = make_response(render_template("admin/token_created.html", token=token, plain=plain))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@web.post("/admin/tokens/<int:token_id>/revoke")
@require(Action.MANAGE_TOKENS)
def tokens_revoke(token_id: int) -> Any:
    if not RevokeForm().validate_on_submit():
        flash("The form expired. Reload the page and press revoke again.", "error")
        return redirect(url_for("web.tokens_page"))
    actor = current_actor()
    token = revoke(actor.tenant_id, token_id, actor=actor.email)  # another tenant's: 404
    flash(f"Token “{token.label}” ({token.prefix}…) is revoked: requests with it are "
          "refused from now on.", "success")
    return redirect(url_for("web.tokens_page"))
