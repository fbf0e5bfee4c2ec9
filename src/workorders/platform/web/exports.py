"""The exports pages: the list (status, attempts, next retry), one export with its
highlighted payload and attempts and a retry button, and the case page's export
history. Coordinators and admins only; retries go through the same service as
the API (``retry_export``) and redirect after the POST."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workorders.errors import Conflict
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services import export_queries as queries
from workorders.platform.services.exports import RETRYABLE, retry_export
from workorders.platform.web import web
from workorders.platform.web.highlight import PREVIEW_LIMIT, highlight

PAGE_SIZE = 100


class RetryForm(FlaskForm):
    """Only the CSRF token: the export is in the URL."""


@web.get("/exports")
@require(Action.READ_INVOICES)
def exports_page() -> Any:
    status = request.args.get("status") or None
    if status not in (None, *queries.STATUSES):
        status = None
    connector = request.args.get("connector") or None
    rows = queries.list_exports(current_actor(), queries.ExportFilters(
        status=status, connector=connector), PAGE_SIZE, None)
    views = [queries.export_view(e) for e in rows]
    return render_template("exports.html", exports=views, statuses=queries.STATUSES,
                           filters={"status": status, "connector": connector})


@web.get("/exports/<int:export_id>")
@require(Action.READ_INVOICES)
def export_page(export_id: int) -> Any:
    export = queries.get_export(current_actor(), export_id)
    body = bytes(export.payload)
    return render_template("export.html", export=queries.export_view(export),
                           preview=highlight(body, export.content_type),
                           cut=len(body) > PREVIEW_LIMIT, size=len(body),
                           can_retry=export.status in RETRYABLE, form=RetryForm())


@web.post("/exports/<int:export_id>/retry")
@require(Action.EXPORT_INVOICES)
def export_retry(export_id: int) -> Any:
    if not RetryForm().validate_on_submit():
        flash("The form expired. Reload the page and press retry again.", "error")
        return redirect(url_for("web.export_page", export_id=export_id))
    try:
        export = retry_export(current_actor(), export_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(f"{export.invoice_number} is queued again; it goes out with the same "
              "idempotency key, so the receiver cannot book it twice.", "success")
    return redirect(url_for("web.export_page", export_id=export_id))


@web.app_template_global("case_exports")
def case_exports(case_id: int) -> list[dict[str, Any]]:
    """The case page's export history (oldest first), for the include."""
    rows = queries.list_exports(current_actor(), queries.ExportFilters(case_id=case_id),
                                200, None)
    return [queries.export_view(e, attempts=False) for e in reversed(rows)]
