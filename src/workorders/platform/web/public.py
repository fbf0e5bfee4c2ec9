"""Pages for customers, reached by signed links without an account: the case's
status, and an approval they were asked for (decided once)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from workorders.errors import Conflict, NotFound
from workorders.platform.extensions import db
from workorders.platform.models import Approval, ApprovalStatus, Case, Tenant
from workorders.platform.services.customer_links import (
    APPROVAL_MAX_AGE,
    APPROVAL_SALT,
    STATUS_MAX_AGE,
    STATUS_SALT,
    read_token,
)
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.work_queue import decide_approval

public = Blueprint("public", __name__)


class DecisionForm(FlaskForm):
    comment = StringField("Comment (optional)", validators=[Length(max=2000)])
    approve = SubmitField("Approve")
    reject = SubmitField("Reject")


def _case(tenant_id: int, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.tenant_id != tenant_id:
        raise NotFound("this link is not valid")
    return case


@public.get("/status/<token>")
def status_page(token: str) -> Any:
    data = read_token(token, STATUS_SALT, STATUS_MAX_AGE)
    case = _case(data["t"], data["c"])
    case_type = bundle_of(case.definition).case_type(case.case_type)
    state = case_type.lifecycle.state(case.status) if case_type else None
    tenant = db.session.get(Tenant, case.tenant_id)
    return render_template("public/status.html", case=case, tenant=tenant,
                           state_label=state.label if state else case.status)


@public.route("/approve/<token>", methods=["GET", "POST"])
def customer_approval(token: str) -> Any:
    data = read_token(token, APPROVAL_SALT, APPROVAL_MAX_AGE)
    approval = db.session.get(Approval, data["a"])
    if approval is None or approval.tenant_id != data["t"] or approval.approver != "customer":
        abort(404)
    case = _case(approval.tenant_id, approval.case_id)
    form = DecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        decision = "approve" if form.approve.data else "reject"
        try:
            decide_approval(None, approval.tenant_id, approval.id, decision, form.comment.data,
                            decided_by=f"customer:{(case.customer or {}).get('email', '')}")
        except Conflict as exc:
            flash(str(exc), "error")
        return redirect(url_for("public.customer_approval", token=token))
    tenant = db.session.get(Tenant, case.tenant_id)
    return render_template("public/approval.html", approval=approval, case=case, form=form,
                           tenant=tenant, pending=approval.status == ApprovalStatus.PENDING.value)


def register_public(app: Flask) -> None:
    from workorders.platform.web import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.update({"public.status_page", "public.customer_approval"})
    app.register_blueprint(public)
