"""The board: one column per lifecycle state of a case type, so a coordinator
sees at a glance where work piles up and whose turn it is.

Columns come from the case type in the tenant's published version; a case
pinned to an older version whose state no longer exists still shows, in an
extra column named after that state, rather than vanishing. The cards of a
column are read with the board index (tenant, case type, status, time in state)
and capped, so the page stays fast with a large history; the column count is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import lazyload, load_only

from workorders.definitions.model import CaseType, State
from workorders.platform.auth import Actor, current_actor
from workorders.platform.extensions import db
from workorders.platform.models import Case
from workorders.platform.services.case_list import is_finished
from workorders.platform.services.case_queries import CaseFilters, filtered
from workorders.platform.web import web
from workorders.platform.web.lookups import Person, bookable_case_types, technicians

CARDS_PER_COLUMN = 50
#: a card reads only what it shows; the customer/site/field JSON and the pinned
#: bundle are left in the database (benchmarks/bench_cases.py: 4x faster board)
CARD_LOAD = (load_only(Case.id, Case.number, Case.title, Case.customer_name, Case.case_type,
                       Case.scheduled_start, Case.scheduled_end, Case.status,
                       Case.status_changed_at, Case.assignee_id), lazyload(Case.definition))
UNASSIGNED = "none"


@dataclass
class Column:
    state: State
    count: int = 0
    cards: list[Case] = field(default_factory=list)


@dataclass(frozen=True)
class BoardFilters:
    assignee: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.assignee or self.q)


def is_overdue(case_type: CaseType, case: Case, now: datetime) -> bool:
    """Past its scheduled end and the work is not done (final states never are);
    ``is_finished`` is shared with the case list's overdue filter."""
    if case.scheduled_end is None or case.scheduled_end >= now:
        return False
    return not is_finished(case_type, case.status)


def _base_query(actor: Actor, case_type: CaseType, filters: BoardFilters) -> Any:
    assignee = filters.assignee if filters.assignee not in ("", UNASSIGNED) else None
    stmt = filtered(actor, CaseFilters(case_type=case_type.id, assignee=assignee,
                                       q=filters.q or None))
    if filters.assignee == UNASSIGNED:
        stmt = stmt.where(Case.assignee_id.is_(None))
    return stmt


def build_columns(actor: Actor, case_type: CaseType, filters: BoardFilters) -> list[Column]:
    stmt = _base_query(actor, case_type, filters)
    counted = stmt.with_only_columns(Case.status, func.count()).group_by(Case.status)
    counts = {status: n for status, n in db.session.execute(counted).all()}
    columns = [Column(s, counts.get(s.id, 0)) for s in case_type.lifecycle.states]
    known = {s.id for s in case_type.lifecycle.states}
    columns += [Column(State(id=status, label=status.replace("_", " ").capitalize()), n)
                for status, n in sorted(counts.items()) if status not in known]
    for column in columns:
        if not column.count:
            continue
        # waiting longest first in open states; the latest first in final ones
        order = (Case.status_changed_at.desc() if column.state.final
                 else Case.status_changed_at.asc())
        column.cards = list(db.session.execute(
            stmt.where(Case.status == column.state.id).options(*CARD_LOAD)
            .order_by(order, Case.id).limit(CARDS_PER_COLUMN)).scalars())
    return columns


def _filters_from_request(people: list[Person]) -> BoardFilters:
    assignee = (request.args.get("assignee") or "").strip().lower()
    if assignee not in {UNASSIGNED, *(p.email for p in people)}:
        assignee = ""
    return BoardFilters(assignee=assignee, q=(request.args.get("q") or "").strip()[:100])


@web.get("/board")
@web.get("/board/<case_type>")
def board(case_type: str | None = None) -> Any:
    actor = current_actor()
    case_types = bookable_case_types(actor)
    if not case_types:
        return render_template("board.html", case_types=[], current=None, columns=[],
                               filters=BoardFilters(), techs=[], now=datetime.now(UTC))
    if case_type is None:
        query: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("web.board", case_type=case_types[0].id, **query))
    current = next((ct for ct in case_types if ct.id == case_type), None)
    if current is None:
        abort(404, f"there is no case type '{case_type}' in the published definitions")
    techs = technicians(actor)
    filters = _filters_from_request(techs)
    columns = build_columns(actor, current, filters)
    now = datetime.now(UTC)
    overdue = {c.id for col in columns for c in col.cards if is_overdue(current, c, now)}
    return render_template("board.html", case_types=case_types, current=current,
                           columns=columns, filters=filters, techs=techs, now=now,
                           overdue=overdue, total=sum(c.count for c in columns),
                           cap=CARDS_PER_COLUMN)
