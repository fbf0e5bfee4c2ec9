"""The approvals inbox: what the rules routed to me, to decide with a comment.

Only the routed people may decide (``may_decide``: the named role or user; a
customer's approval only through its signed link). Others see the item without
buttons, and a POST from them is refused by the service with 403. A rejection
raises an exception for the coordinators (done by ``decide_approval``); the
inbox says so beside the rejected item.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from workorders.errors import Conflict
from workorders.platform.auth import current_actor
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Approval
from workorders.platform.problems import PreconditionFailed
from workorders.platform.services.work_queue import case_number, decide_approval
from workorders.platform.web import web
from workorders.platform.web.bulk import bulk_ids, flash_summary, picking_problem, run_bulk
from workorders.platform.web.lookups import names_by_email
from workorders.platform.web.queue import INCOMPLETE
from workorders.platform.web.work_forms import DecisionForm, safe_back
from workorders.platform.web.work_items import customer_asks, inbox_rows

STALE = ("Someone decided or changed this approval while you had the page open, so "
         "nothing was saved. The inbox now shows it as it is.")


@web.get("/approvals")
def approvals_inbox() -> Any:
    actor = current_actor()
    show_decided = request.args.get("show") == "all"
    q = request.args.get("q", "").strip()[:100]
    return render_template("approvals.html", rows=inbox_rows(actor, show_decided, q),
                           show_decided=show_decided, names=names_by_email(actor),
                           back=request.full_path.rstrip("?"), q=q,
                           customer_asks=customer_asks(actor, q))


@web.post("/approvals/<int:approval_id>/decision")
def approval_decision(approval_id: int) -> Response:
    actor = current_actor()
    approval = get_for_tenant(Approval, approval_id, actor.tenant_id)
    form = DecisionForm()
    back = safe_back(form.next.data, url_for("web.approvals_inbox"))
    if not form.validate_on_submit():
        flash(INCOMPLETE, "error")
        return redirect(back)
    try:
        decided = decide_approval(actor, actor.tenant_id, approval.id, form.decision.data,
                                  form.comment.data, form.version.data)
    except PreconditionFailed:
        flash(STALE, "error")
        return redirect(back)
    except Conflict as err:
        flash(f"Nothing was saved: {err.message}.", "error")
        return redirect(back)
    number = case_number(decided.case_id)
    if decided.status == "rejected":
        flash(f"Rejected the approval on {number}. The coordinators got an exception "
              "(APPROVAL_REJECTED) to follow it up.", "success")
    else:
        flash(f"Approved on {number}.", "success")
    return redirect(back)


class BulkDecisionForm(FlaskForm):
    """The CSRF check and the shared fields of the inbox's bulk decision."""

    decision = StringField(validators=[AnyOf(["approve", "reject"])])
    comment = TextAreaField(validators=[Optional(), Length(max=2000)])
    next = HiddenField(validators=[Optional(), Length(max=1000)])


@web.post("/approvals/bulk")
def approvals_bulk() -> Response:
    """Approve or reject the ticked approvals item by item through ``decide_approval``
    (the routed people only, the version each row showed); the summary says which
    were decided and which were left as they were and why."""
    actor = current_actor()
    form = BulkDecisionForm()
    back = safe_back(form.next.data, url_for("web.approvals_inbox"))
    picked = bulk_ids()
    problem = (("Pick approve or reject." if "decision" in form.errors else INCOMPLETE)
               if not form.validate_on_submit() else picking_problem(picked, "approval"))
    if problem is not None or picked is None:
        flash(problem or INCOMPLETE, "error")
        return redirect(back)
    outcome = run_bulk(
        picked, Approval, actor.tenant_id,
        label=lambda approval: f"the approval on {case_number(approval.case_id)}",
        is_open=lambda approval: approval.status == "pending",
        act=lambda approval, version: decide_approval(
            actor, actor.tenant_id, approval.id, form.decision.data, form.comment.data,
            version),
        forbidden="it is not yours to decide")
    flash_summary(outcome, "approved" if form.decision.data == "approve" else "rejected")
    return redirect(back)
