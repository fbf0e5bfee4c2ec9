"""The case list: every case of a tenant across case types and definition
versions, searched, filtered, sorted and paged in SQL (issue 15).

Filters that need the definition (whose turn a state is, whether the work is
done) are turned into SQL ``IN`` lists of state ids per (definition version,
case type), read once from the tenant's versions, never a loop over cases.
"Overdue" is the board's definition (``is_finished`` below decides both) and
"ready to invoice" is ``services.readiness``: the work blocker as the
work-complete state lists, the stored outcomes as ``NOT EXISTS`` and the
connectors' data requirements checked only for the cases SQL already found
ready (the data lives in the case's JSON, per connector).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import Bundle, CaseType
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import Case, DefinitionVersion, User
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.readiness import (
    data_blockers,
    no_outcome_blockers,
    outcome_counts,
)
from workorders.rules.readiness import work_blocker

PAGE_SIZE = 50
CSV_CAP = 10_000
SORTS = {"scheduled", "-scheduled", "number", "-number", "updated", "-updated", "status"}
OWNERS = ("role", "assignee", "customer")
#: who sees every case; a technician's list holds the cases assigned to them
SEE_ALL = ("admin", "coordinator", "viewer")


class BadListParam(ValueError):
    """A filter value the list does not know: refused, never silently widened."""


def is_finished(case_type: CaseType, status: str) -> bool:
    """A case in this state cannot be overdue: it is final or its work is done.
    The one definition behind the board's overdue mark and the list's filter."""
    state = case_type.lifecycle.state(status)
    if state is not None and state.final:
        return True
    return is_work_complete_or_later(case_type, status)


@dataclass(frozen=True)
class ListParams:
    q: str = ""
    case_type: str = ""
    status: str = ""
    assignee: str = ""  # email, "unassigned" or "me"
    owner: str = ""
    ready: str = ""  # "1" or "0"
    overdue: bool = False
    start: date | None = None
    end: date | None = None
    sort: str = "-updated"
    page: int = 1

    @property
    def active(self) -> int:
        """How many filters are on (the fold's "(n on)")."""
        return sum(bool(x) for x in (self.q, self.case_type, self.status, self.assignee,
                                     self.owner, self.ready, self.overdue, self.start,
                                     self.end))

    def query(self, **over: Any) -> dict[str, Any]:
        """The URL parameters of this list (for links that keep the filters)."""
        args: dict[str, Any] = {
            "q": self.q, "case_type": self.case_type, "status": self.status,
            "assignee": self.assignee, "owner": self.owner, "ready": self.ready,
            "overdue": "1" if self.overdue else "",
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "sort": self.sort if self.sort != "-updated" else "",
            "page": self.page if self.page != 1 else ""}
        args.update(over)
        return {k: v for k, v in args.items() if v not in ("", None)}


@dataclass
class Definitions:
    """The tenant's definition versions, parsed once per request."""

    bundles: dict[int, Bundle] = field(default_factory=dict)

    def case_type(self, version_id: int, case_type: str) -> CaseType | None:
        bundle = self.bundles.get(version_id)
        return bundle.case_type(case_type) if bundle is not None else None

    def pairs(self) -> list[tuple[int, CaseType]]:
        return [(vid, ct) for vid, b in sorted(self.bundles.items()) for ct in b.case_types]

    def states(self) -> dict[str, str]:
        """Every state id of the tenant's case types with its newest label."""
        labels: dict[str, str] = {}
        for _, ct in self.pairs():
            labels.update({s.id: s.label for s in ct.lifecycle.states})
        return labels

    def case_types(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for _, ct in self.pairs():
            names[ct.id] = ct.name
        return names


def tenant_definitions(tenant_id: int) -> Definitions:
    versions = db.session.execute(select(DefinitionVersion).where(
        DefinitionVersion.tenant_id == tenant_id)).scalars()
    return Definitions({v.id: bundle_of(v) for v in versions})


def _date(raw: str, words: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadListParam(
            f"{words} “{raw[:20]}” is not a date; use a date like 2026-12-03.") from None


def parse_params(args: Mapping[str, str], defs: Definitions, emails: set[str]) -> ListParams:
    """Read the URL's filters; an unknown value raises :class:`BadListParam`."""
    def arg(name: str) -> str:
        return (args.get(name) or "").strip()

    case_type, status = arg("case_type"), arg("status")
    types, states = defs.case_types(), defs.states()
    if case_type and case_type not in types:
        raise BadListParam(f"There is no case type “{case_type[:40]}”. The case types are: "
                           f"{', '.join(types.values()) or 'none yet'}.")
    if status and status not in states:
        raise BadListParam(f"There is no status “{status[:40]}”. The statuses are: "
                           f"{', '.join(dict.fromkeys(states.values()))}.")
    assignee = arg("assignee").lower()
    if assignee and assignee not in {"me", "unassigned", *emails}:
        raise BadListParam(f"“{assignee[:60]}” is not a technician of this workspace; pick "
                           "one from the list, “me” or “unassigned”.")
    owner = arg("owner")
    if owner and owner not in OWNERS:
        raise BadListParam("Whose turn must be the office (role), the technician (assignee) "
                           "or the customer (customer).")
    ready = arg("ready")
    if ready not in ("", "1", "0"):
        raise BadListParam("Ready to invoice is yes (1) or no (0).")
    overdue = arg("overdue")
    if overdue not in ("", "1"):
        raise BadListParam("Overdue is either on (1) or left out.")
    start = _date(arg("from"), "From") if arg("from") else None
    end = _date(arg("to"), "To") if arg("to") else None
    if start and end and end < start:
        raise BadListParam("The “to” date is before the “from” date.")
    sort = arg("sort") or "-updated"
    if sort not in SORTS:
        raise BadListParam("The list sorts by scheduled, number, updated (each may start "
                           "with - for the other way) or status.")
    page = arg("page") or "1"
    if not page.isdigit() or int(page) < 1:
        raise BadListParam(f"Page “{page[:10]}” is not a page number.")
    return ListParams(q=arg("q")[:100], case_type=case_type, status=status,
                      assignee=assignee, owner=owner, ready=ready, overdue=overdue == "1",
                      start=start, end=end, sort=sort, page=int(page))


def _in_states(pairs: list[tuple[int, CaseType]], keep: Any) -> ColumnElement[bool]:
    """Cases whose (version, case type) state is one ``keep(case_type, state)`` picks,
    as one ``IN`` list of state ids per (version, case type)."""
    clauses = []
    for version_id, ct in pairs:
        ids = sorted(s.id for s in ct.lifecycle.states if keep(ct, s.id))
        if ids:
            clauses.append(and_(Case.definition_version_id == version_id,
                                Case.case_type == ct.id, Case.status.in_(ids)))
    return or_(*clauses) if clauses else false()


def _owner_kind(case_type: CaseType, status: str) -> str:
    """Whose turn a state is, as the list's filter names it: "assignee", "customer",
    or "role" for a state a role (the office: coordinator, admin...) owns."""
    state = case_type.lifecycle.state(status)
    owner = state.owner if state is not None else None
    if owner in ("assignee", "customer"):
        return owner
    return "role" if owner else ""


def _ready_sql(pairs: list[tuple[int, CaseType]]) -> ColumnElement[bool]:
    return and_(_in_states(pairs, lambda ct, s: work_blocker(ct, s) is None),
                no_outcome_blockers(Case.id))


def _data_blocked_ids(stmt: Select[Any], defs: Definitions) -> list[int]:
    """Among the cases SQL finds ready, those a connector still misses data for."""
    if not any(b.connectors for b in defs.bundles.values()):
        return []
    blocked = []
    for case in db.session.execute(stmt.where(_ready_sql(defs.pairs()))).scalars():
        ct = defs.case_type(case.definition_version_id, case.case_type)
        bundle = defs.bundles.get(case.definition_version_id)
        if ct is not None and bundle is not None and data_blockers(
                LoadedCase(case, bundle, ct)):
            blocked.append(case.id)
    return blocked


def filtered(actor: Actor, params: ListParams, defs: Definitions,
             zone: ZoneInfo, now: datetime | None = None) -> Select[Any]:
    """The list's cases as one statement (no order, no paging)."""
    stmt = select(Case).where(Case.tenant_id == actor.tenant_id)
    if not actor.has_any(*SEE_ALL):
        stmt = stmt.where(Case.assignee_id == actor.user_id)
    pairs = defs.pairs()
    if params.case_type:
        stmt = stmt.where(Case.case_type == params.case_type)
    if params.status:
        stmt = stmt.where(Case.status == params.status)
    if params.assignee == "unassigned":
        stmt = stmt.where(Case.assignee_id.is_(None))
    elif params.assignee == "me":
        stmt = stmt.where(Case.assignee_id == actor.user_id)
    elif params.assignee:
        stmt = stmt.where(Case.assignee_id == select(User.id).where(
            User.email == params.assignee).scalar_subquery())
    if params.owner:
        stmt = stmt.where(_in_states(pairs, lambda ct, s: _owner_kind(ct, s) == params.owner))
    if params.overdue:
        moment = now or datetime.now(UTC)
        stmt = stmt.where(Case.scheduled_end.is_not(None), Case.scheduled_end < moment,
                          not_(_in_states(pairs, is_finished)))
    if params.start:
        stmt = stmt.where(Case.scheduled_start >= datetime.combine(
            params.start, time(), zone).astimezone(UTC))
    if params.end:
        stmt = stmt.where(Case.scheduled_start < datetime.combine(
            params.end + timedelta(days=1), time(), zone).astimezone(UTC))
    if params.q:
        needle = f"%{params.q}%"
        stmt = stmt.where(or_(Case.number.ilike(needle), Case.title.ilike(needle),
                              Case.customer_name.ilike(needle),
                              Case.site["city"].as_string().ilike(needle),
                              Case.site["street"].as_string().ilike(needle)))
    if params.ready:
        blocked = _data_blocked_ids(stmt, defs)
        not_blocked = Case.id.not_in(blocked) if blocked else true()
        ready = and_(_ready_sql(pairs), not_blocked)
        stmt = stmt.where(ready if params.ready == "1" else not_(ready))
    return stmt


def _order(sort: str) -> list[Any]:
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    if key == "scheduled":
        col = Case.scheduled_start
        return [col.is_(None), col.desc() if desc else col.asc(), Case.id]
    if key == "number":
        return [Case.number.desc() if desc else Case.number.asc()]
    if key == "status":
        return [Case.status.asc(), Case.updated_at.desc(), Case.id.desc()]
    return [Case.updated_at.desc() if desc else Case.updated_at.asc(), Case.id]


@dataclass(frozen=True)
class Row:
    """One case as the list shows it: labels from the case's own pinned version."""

    case: Case
    case_type_name: str
    status_label: str
    ready: bool
    why_not: int


def rows_of(cases: list[Case], defs: Definitions) -> list[Row]:
    """The page's rows, with readiness counted in one query for the whole page."""
    outcomes = outcome_counts([c.id for c in cases])
    rows = []
    for case in cases:
        ct = defs.case_type(case.definition_version_id, case.case_type)
        bundle = defs.bundles.get(case.definition_version_id)
        if ct is None or bundle is None:  # pragma: no cover - pinned versions keep their types
            rows.append(Row(case, case.case_type, case.status, False, 0))
            continue
        state = ct.lifecycle.state(case.status)
        why = (work_blocker(ct, case.status) is not None) + outcomes.get(case.id, 0)
        why += len(data_blockers(LoadedCase(case, bundle, ct)))
        rows.append(Row(case, ct.name, state.label if state else case.status, why == 0, why))
    return rows


@dataclass(frozen=True)
class ListPage:
    rows: list[Row]
    total: int
    first: int
    last: int
    page: int
    pages: int


def list_page(actor: Actor, params: ListParams, defs: Definitions, zone: ZoneInfo) -> ListPage:
    stmt = filtered(actor, params, defs, zone)
    total = int(db.session.execute(
        stmt.with_only_columns(func.count()).order_by(None)).scalar_one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(params.page, pages)
    cases = list(db.session.execute(stmt.order_by(*_order(params.sort))
                                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
                 .scalars())
    first = (page - 1) * PAGE_SIZE + 1 if cases else 0
    return ListPage(rows_of(cases, defs), total, first, first + len(cases) - 1 if cases else 0,
                    page, pages)


def all_rows(actor: Actor, params: ListParams, defs: Definitions,
             zone: ZoneInfo) -> tuple[list[Row], bool]:
    """Every row of the filtered list up to :data:`CSV_CAP`; True when cut there."""
    stmt = filtered(actor, params, defs, zone).order_by(*_order(params.sort))
    cases = list(db.session.execute(stmt.limit(CSV_CAP + 1)).scalars())
    return rows_of(cases[:CSV_CAP], defs), len(cases) > CSV_CAP
