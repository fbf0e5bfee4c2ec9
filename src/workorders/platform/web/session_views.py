"""Logging in and out, and choosing a tenant when a person belongs to several."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for

from workorders.platform.auth import actor_from_session, end_session, start_session
from workorders.platform.config import settings_of
from workorders.platform.problems import RateLimited
from workorders.platform.services.accounts import authenticate
from workorders.platform.services.invitations import set_password_from_link, user_for_link
from workorders.platform.services.login_limits import LoginLimits
from workorders.platform.web import PUBLIC_ENDPOINTS, web
from workorders.platform.web.forms import ChooseTenantForm, LoginForm, LogoutForm, SetPasswordForm

PUBLIC_ENDPOINTS.update({"web.set_password", "web.logout"})  # logout: also from the chooser


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would help phishers."""
    if not target:
        return url_for("web.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    return target


@web.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        settings = settings_of(current_app)
        limits = LoginLimits(per_email=settings.login_attempts_per_email,
                             per_address=settings.login_attempts_per_address,
                             window_seconds=settings.login_window_seconds)
        try:
            actors = authenticate(form.email.data, form.password.data,
                                  request.remote_addr or "unknown", limits)
        except RateLimited as exc:
            flash(str(exc), "error")
            return render_template("login.html", form=form), 429
        if actors:
            end_session(session.get("sid"))
            session.clear()
            session["sid"] = start_session(actors[0].user_id)
            session["tids"] = [a.tenant_id for a in actors]
            if len(actors) == 1:
                session["tid"] = actors[0].tenant_id
                return redirect(_safe_next(form.next.data))
            return redirect(url_for("web.choose_tenant"))
        flash("That email and password do not match. Check both and try again.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@web.route("/workspace", methods=["GET", "POST"])
def choose_tenant() -> Any:
    sid = session.get("sid")
    allowed = session.get("tids") or []
    actors = [a for a in (actor_from_session(t, sid) for t in allowed) if a is not None]
    if not actors:
        return redirect(url_for("web.login"))
    form = ChooseTenantForm()
    form.tenant.choices = [(a.tenant_id, a.tenant_name) for a in actors]
    if form.validate_on_submit():
        if form.tenant.data not in [a.tenant_id for a in actors]:
            abort(404)
        session["tid"] = form.tenant.data
        return redirect(url_for("web.home"))
    return render_template("choose_tenant.html", form=form)


@web.post("/logout")
def logout() -> Any:
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    end_session(session.get("sid"))
    session.clear()
    g.actor = None
    flash("You are signed out.", "info")
    return redirect(url_for("web.login"))


@web.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    """Where an invited person chooses their own password (the link from the email)."""
    user = user_for_link(token)  # NotFound says why: forged, expired or used
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password_from_link(token, form.password.data)
        end_session(session.get("sid"))
        session.clear()
        flash("Your password is set. Sign in with it.", "info")
        return redirect(url_for("web.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("set_password.html", form=form, email=user.email), status
