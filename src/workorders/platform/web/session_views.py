"""Logging in and out, and choosing a tenant when a person belongs to several."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for

from workorders.platform.auth import actor_from_session
from workorders.platform.problems import RateLimited
from workorders.platform.services.accounts import authenticate
from workorders.platform.web import web
from workorders.platform.web.forms import ChooseTenantForm, LoginForm, LogoutForm


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
        settings = current_app.extensions["workorders.settings"]
        try:
            actors = authenticate(form.email.data, form.password.data,
                                  request.remote_addr or "unknown",
                                  limit=settings.login_attempts_per_window,
                                  window_seconds=settings.login_window_seconds)
        except RateLimited as exc:
            flash(str(exc), "error")
            return render_template("login.html", form=form), 429
        if actors:
            session.clear()
            session["uid"] = actors[0].user_id
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
    uid = session.get("uid")
    allowed = session.get("tids") or []
    actors = [a for a in (actor_from_session(t, uid) for t in allowed) if a is not None]
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
    session.clear()
    g.actor = None
    flash("You are signed out.", "info")
    return redirect(url_for("web.login"))
