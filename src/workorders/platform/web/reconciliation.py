"""The reconciliation page: per case and connector, what was captured against
what was invoiced minus what was credited. Every difference should be 0.00;
one that is not is shown first, in red, with a link to the case."""

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
    rows.sort(key=lambda r: (r.difference == 0, -r.case_id))
    off = sorted({r.case_id for r in rows if r.difference != 0})
    return render_template("reconciliation.html", rows=rows, off=off, more=more is not None)
