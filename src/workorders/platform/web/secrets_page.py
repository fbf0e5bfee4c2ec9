"""The secrets page: an admin sets, replaces and deletes the tenant's signing
secrets and sees what the published bundle signs with. A value goes in through a
password field and is never rendered back, not even after a failed save; every
change goes through the same service as the API and CLI (validated, audited)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from workorders.errors import NotFound, ValidationFailed
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services.tenant_secrets import delete_secret, list_secrets, set_secret
from workorders.platform.web import web


class SecretForm(FlaskForm):
    """The rules for name and value live in the service, so all three ways in agree."""

    name = StringField("Name")
    value = PasswordField("Value")


class DeleteSecretForm(FlaskForm):
    """Only the CSRF token: the secret's name is in the URL."""


@web.get("/secrets")
@require(Action.MANAGE_SECRETS)
def secrets_page() -> Any:
    return render_template("secrets.html", secrets=list_secrets(current_actor().tenant_id),
                           form=SecretForm(formdata=None), delete_form=DeleteSecretForm())


@web.post("/secrets")
@require(Action.MANAGE_SECRETS)
def secrets_save() -> Any:
    form = SecretForm()
    if not form.validate_on_submit():
        flash("The form expired. Reload the page and enter the secret again.", "error")
        return redirect(url_for("web.secrets_page"))
    actor = current_actor()
    name = (form.name.data or "").strip()
    try:
        info, created = set_secret(actor.tenant_id, name, form.value.data or "", actor.email)
    except ValidationFailed as exc:
        flash(f"Nothing was saved: {exc.message}.", "error")
    else:
        flash(f"Secret {info.name} {'saved' if created else 'replaced'}. It will not be "
              "shown again.", "success")
    return redirect(url_for("web.secrets_page"))


@web.post("/secrets/<name>/delete")
@require(Action.MANAGE_SECRETS)
def secrets_delete(name: str) -> Any:
    if not DeleteSecretForm().validate_on_submit():
        flash("The form expired. Reload the page and press delete again.", "error")
        return redirect(url_for("web.secrets_page"))
    actor = current_actor()
    try:
        delete_secret(actor.tenant_id, name, actor.email)
    except (NotFound, ValidationFailed) as exc:
        flash(f"Nothing was deleted: {exc.message}.", "error")
    else:
        flash(f"Secret {name} deleted; deliveries that sign with it fail until it is set "
              "again.", "success")
    return redirect(url_for("web.secrets_page"))
