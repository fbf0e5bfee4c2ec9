"""Pages for customers, reached by signed links without an account: the case's
status, and an approval they were asked for (decided once).

Both carry the tenant's name and logo and read in the tenant's locale and time
zone (``display.use_tenant``): a Swedish company's customer sees ``1 234,50 kr``
and CET times. The approval page lists the lines being approved (the case's
billable lines, priced exactly as the invoice will be) and, once decided, says
in its heading what the customer did. The logo is served from the published
bundle by ``tenant_logo``, never from an outside address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from workorders.definitions import money
from workorders.definitions.branding import Logo, LogoProblem, read_logo
from workorders.errors import Conflict, NotFound
from workorders.platform.extensions import csrf, db
from workorders.platform.models import Approval, ApprovalStatus, Case, Tenant
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.customer_links import (
    APPROVAL_MAX_AGE,
    APPROVAL_SALT,
    STATUS_MAX_AGE,
    STATUS_SALT,
    UNSUBSCRIBE_MAX_AGE,
    UNSUBSCRIBE_SALT,
    read_token,
    unsubscribe_token,
)
from workorders.platform.services.customer_messages import (
    opt_back_in,
    opt_out,
    told_the_customer,
)
from workorders.platform.services.customer_words import public_words
from workorders.platform.services.definitions import bundle_of, current_version
from workorders.platform.services.invoice_document import case_lines
from workorders.platform.services.work_queue import decide_approval
from workorders.platform.web.display import page_lang, use_tenant

#: a logo's address names its bytes (``?v=<etag>``), so browsers may keep it a day
LOGO_MAX_AGE = 86400
#: the heading once the customer has decided (or a rule decided for them)
DECIDED_HEADINGS = {ApprovalStatus.APPROVED.value: "You approved this",
                    ApprovalStatus.REJECTED.value: "You rejected this",
                    ApprovalStatus.RESOLVED_BY_RULE.value: "This no longer needs your approval"}

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


def _tenant_logo(tenant_id: int) -> Logo | None:
    """The logo of the tenant's published bundle, if it has one."""
    version = current_version(tenant_id)
    source = bundle_of(version).logo if version is not None else None
    if source is None:
        return None
    try:
        return read_logo(source)
    except LogoProblem:  # pragma: no cover - a published bundle passed the same check
        return None


def _brand(tenant: Tenant) -> dict[str, Any]:
    """The tenant's name and, when it has one, its logo's address (for the page header)."""
    use_tenant(tenant.id)
    logo = _tenant_logo(tenant.id)
    return {"tenant": tenant, "logo_url": url_for("public.tenant_logo", slug=tenant.slug,
                                                  v=logo.etag) if logo else None}


def _line_items(case: Case) -> dict[str, Any]:
    """What the customer is asked to approve: the case's billable lines as the invoice
    will price them (``case_lines``), each with its rounded line total."""
    bundle = bundle_of(case.definition)
    case_type = bundle.case_type(case.case_type)
    if case_type is None:  # pragma: no cover - a pinned version cannot lose a case type
        return {"lines": [], "net": None, "currency": bundle.currency}
    billed = case_lines(LoadedCase(case, bundle, case_type))
    currency = bundle.currency
    lines = [{"description": line.description, "quantity": line.quantity,
              "unit_price": line.unit_price,
              "total": money.line_net(money.to_decimal(line.quantity),
                                      money.to_decimal(line.unit_price), currency)}
             for line in billed.lines]
    return {"lines": lines, "net": billed.net if lines else None, "currency": currency}


@public.get("/status/<token>")
def status_page(token: str) -> Any:
    data = read_token(token, STATUS_SALT, STATUS_MAX_AGE)
    case = _case(data["t"], data["c"])
    case_type = bundle_of(case.definition).case_type(case.case_type)
    state = case_type.lifecycle.state(case.status) if case_type else None
    tenant = db.session.get(Tenant, case.tenant_id)
    if tenant is None:  # pragma: no cover - cases belong to a tenant
        abort(404)
    brand = _brand(tenant)
    email = (case.customer or {}).get("email")
    return render_template("public/status.html", case=case, **brand, words=_words(),
                           state_label=state.label if state else case.status,
                           told=told_the_customer(case.id),
                           stop_url=url_for("public.unsubscribe", token=unsubscribe_token(
                               tenant.id, str(email))) if email else None)


def _words() -> Mapping[str, str]:
    """The customer pages' words in the language of the tenant ``_brand`` named."""
    return public_words(page_lang())


@public.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client's one-click POST carries no CSRF token
def unsubscribe(token: str) -> Any:
    """GET asks (mail scanners follow links: a GET never opts anyone out); POST opts
    out, or back in with ``undo``. The token names the tenant and the address."""
    data = read_token(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    tenant = db.session.get(Tenant, data["t"])
    if tenant is None or not isinstance(data.get("a"), str):
        raise NotFound("this link is not valid")
    address = str(data["a"])
    brand = _brand(tenant)
    state = "ask"
    if request.method == "POST":
        if request.form.get("undo"):
            opt_back_in(tenant.id, address)
            state = "resumed"
        else:
            opt_out(tenant.id, address)
            state = "stopped"
    return render_template("public/unsubscribe.html", **brand, words=_words(),
                           address=address, state=state, token=token)


@public.get("/brand/<slug>/logo")
def tenant_logo(slug: str) -> Any:
    """The tenant's logo, from its published bundle, with the image's own type.

    Public (customer pages show it without an account) and cacheable; 404 when the
    tenant or its logo does not exist, so it reveals nothing a page does not show."""
    tenant = db.session.query(Tenant).filter_by(slug=slug).one_or_none()
    logo = _tenant_logo(tenant.id) if tenant is not None else None
    if logo is None:
        abort(404)
    resp = Response(logo.data, mimetype=logo.media_type)
    resp.set_etag(logo.etag)
    resp.cache_control.public = True
    resp.cache_control.max_age = LOGO_MAX_AGE
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp.make_conditional(request)


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
    if tenant is None:  # pragma: no cover - cases belong to a tenant
        abort(404)
    pending = approval.status == ApprovalStatus.PENDING.value
    return render_template("public/approval.html", approval=approval, case=case, form=form,
                           **_brand(tenant), **_line_items(case), pending=pending,
                           heading="Your approval is needed" if pending
                           else DECIDED_HEADINGS.get(approval.status, "Decided"))


def register_public(app: Flask) -> None:
    from workorders.platform.web import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.update({"public.status_page", "public.customer_approval",
                             "public.tenant_logo", "public.unsubscribe"})
    app.register_blueprint(public)
