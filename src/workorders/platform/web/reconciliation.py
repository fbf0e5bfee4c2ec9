"""The reconciliation page: per case and connector, what was captured against
what the ERP acknowledged (delivered invoices minus delivered credit notes).
A row with a difference, or with an export still undelivered, is shown first, in
red, with a link to the case."""

from __future__ import annotations

from typing import Any

from flask import render_template

from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services.reconciliation import reconcile
from workorders.platform.web import web

PAGE_CASES = 500


@web.get("/reconciliation")
@require(Action.RECONCILE)
def reconciliation_page() -> Any:
    actor = current_actor()
    rows, more = reconcile(actor.tenant_id, limit=PAGE_CASES)
    rows.sort(key=lambda r: (r.reconciled, -r.case_id))
    off = sorted({r.case_id for r in rows if not r.reconciled})
    return render_template("reconciliation.html", rows=rows, off=off, more=more is not None)
