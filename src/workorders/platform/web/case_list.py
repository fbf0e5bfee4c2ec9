"""The case list (GET /cases) and its CSV (GET /cases.csv): every case of the
workspace across case types, searched, filtered, sorted and paged (issue 15).

Who sees what (documented in docs/pages.md "Case list"): coordinators, admins
and viewers see every case (viewers read only, as everywhere); a technician
sees the cases assigned to them. Unknown filter values answer 400 with a plain
sentence, never a silently wider list.

The CSV uses the tenant locale's separators the way the csv connector picks
them (``connectors.formats.csv_format.default_decimal``): a decimal-comma
locale such as sv-SE gets ``;`` between cells, others ``,``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask import Response, render_template, request

from workorders.connectors.formats.csv_format import default_decimal
from workorders.platform.auth import current_actor
from workorders.platform.services.case_list import (
    CSV_CAP,
    SORTS,
    BadListParam,
    ListParams,
    Row,
    all_rows,
    list_page,
    parse_params,
    tenant_definitions,
)
from workorders.platform.web import web
from workorders.platform.web.display import (
    display_zone,
    fmt_datetime,
    fmt_window,
    formatting,
)
from workorders.platform.web.lookups import member_name, people

FORMULA_STARTS = ("=", "+", "-", "@")


def _refuse(message: str) -> Any:
    return render_template("error.html", status=400, title="Cannot filter like that",
                           detail=message), 400


def _params() -> tuple[Any, ListParams | None, Any]:
    actor = current_actor()
    defs = tenant_definitions(actor.tenant_id)
    staff = people(actor)
    try:
        params = parse_params(request.args, defs, {p.email for p in staff})
    except BadListParam as exc:
        return actor, None, _refuse(str(exc))
    return actor, params, (defs, staff)


@web.get("/cases")
def case_list() -> Any:
    actor, params, extra = _params()
    if params is None:
        return extra
    defs, staff = extra
    page = list_page(actor, params, defs, display_zone())
    return render_template(
        "case_list.html", page=page, params=params, case_types=defs.case_types(),
        states=defs.states(), techs=[p for p in staff if "technician" in p.roles],
        sorts=SORTS, zone_name=display_zone().key)


def csv_separators(locale: str | None) -> tuple[str, str]:
    """(cell delimiter, decimal sign): the csv connector's decimal for the locale,
    and ``;`` between cells when the decimal sign is a comma."""
    decimal = default_decimal(locale)
    return ("," if decimal == "." else ";"), decimal


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_line(row: Row) -> list[str]:
    case = row.case
    return [case.number, case.title, row.case_type_name, row.status_label, case.customer_name,
            fmt_window(case.scheduled_start, case.scheduled_end),
            member_name(case.assignee), "yes" if row.ready else "no", str(row.why_not),
            fmt_datetime(case.updated_at)]


HEADER = ["Number", "Title", "Case type", "Status", "Customer", "Scheduled", "Technician",
          "Ready to invoice", "Reasons not ready", "Updated"]


@web.get("/cases.csv")
def case_list_csv() -> Any:
    actor, params, extra = _params()
    if params is None:
        return extra
    defs, _ = extra
    rows, truncated = all_rows(actor, params, defs, display_zone())
    delimiter, _decimal = csv_separators(formatting().locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in _csv_line(row)])
    stamp = datetime.now(display_zone()).strftime("%Y-%m-%d")
    name = f"cases-{stamp}{f'-first-{CSV_CAP}' if truncated else ''}.csv"
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if truncated:
        response.headers["X-Truncated"] = f"only the first {CSV_CAP} cases"
    return response
