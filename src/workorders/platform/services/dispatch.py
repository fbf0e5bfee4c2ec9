"""The dispatch week: whose cases sit where on which day, and where two overlap.

Two halves. The pure layout helpers (``parse_week``, ``find_conflicts``,
``lay_out``) work on plain ``Block`` values, so the rules of the grid (which day
a case lands on, what counts as double-booked) are tested without Flask or a
database. ``week_blocks`` is the one read: a single query for the tenant's
cases scheduled in the week plus the unassigned ones without a time, reading
only the columns a block shows (no per-case loads: names come from the tenant's
member list, states from the published bundle).

A case lands on the local day its window starts (the display zone's day, so a
job at 00:30 is Tuesday's, not Monday's in UTC); a window spanning days shows
on its first day with its whole window as text. Final states (cancelled,
invoiced) are left out: the page plans work. Work-complete cases stay, muted,
because they still occupied the technician's time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import lazyload, load_only

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import Bundle
from workorders.errors import ValidationFailed
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import Case

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
#: a week holds at most this many cases on the page; more is a sign of a filter
#: the coordinator should use, and the page says so rather than growing without end
MAX_CASES = 1000
BLOCK_LOAD = (load_only(Case.id, Case.number, Case.title, Case.customer_name, Case.case_type,
                        Case.scheduled_start, Case.scheduled_end, Case.status, Case.version,
                        Case.assignee_id), lazyload(Case.definition), lazyload(Case.assignee))


class BadWeek(ValueError):
    """A ``week`` parameter that names no ISO week; its message is for people."""


@dataclass(frozen=True)
class Block:
    """One case as the grid shows it; times are in the display zone."""

    case_id: int
    number: str
    title: str
    customer: str
    case_type: str
    status_label: str
    version: int
    assignee_id: int | None
    start: datetime | None
    end: datetime | None
    muted: bool = False

    @property
    def day(self) -> date | None:
        return self.start.date() if self.start is not None else None

    @property
    def start_input(self) -> str:
        """The start as a ``datetime-local`` input value (the Move form, the drag script)."""
        return self.start.strftime("%Y-%m-%dT%H:%M") if self.start is not None else ""

    @property
    def end_input(self) -> str:
        return self.end.strftime("%Y-%m-%dT%H:%M") if self.end is not None else ""

    @property
    def busy_until(self) -> datetime | None:
        """A window without an end occupies its start instant only: it cannot
        double-book anyone, but it is still shown."""
        return self.end if self.end is not None else self.start


@dataclass
class Cell:
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Row:
    """One technician's week: a cell per day."""

    user_id: int | None
    email: str
    name: str
    cells: dict[date, Cell]

    @property
    def count(self) -> int:
        return sum(len(c.blocks) for c in self.cells.values())


@dataclass
class Week:
    monday: date
    days: list[date]
    rows: list[Row]
    unassigned: list[Block]
    conflicts: dict[int, list[Block]]
    weekend_folded: bool
    capped: bool = False

    @property
    def label(self) -> str:
        return week_label(self.monday)


# ---- weeks -----------------------------------------------------------------------

def parse_week(value: str | None, today: date) -> date:
    """The Monday of an ISO week written ``2026-W49``; this week when not given."""
    if value in (None, ""):
        return today - timedelta(days=today.weekday())
    match = WEEK_RE.match(str(value).strip())
    if match is None:
        raise BadWeek(f"“{str(value)[:40]}” is not a week. Write the year, a W and the week "
                      "number, like 2026-W49.")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise BadWeek(f"The year {match.group(1)} has no week {int(match.group(2))}. "
                      "Weeks run from 1 to 52 or 53.") from None


def week_label(monday: date) -> str:
    """The ISO week's name, ``2026-W49``: the value the page's links carry."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_window(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in ``zone`` (DST-safe: each end is
    made from its own local date)."""
    start = datetime.combine(monday, datetime.min.time(), zone)
    return start, datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)


# ---- pure layout -------------------------------------------------------------------

def overlaps(a: Block, b: Block) -> bool:
    if a.start is None or b.start is None:
        return False
    a_end, b_end = a.busy_until, b.busy_until
    assert a_end is not None and b_end is not None
    return a.start < b_end and b.start < a_end


def find_conflicts(blocks: Iterable[Block]) -> dict[int, list[Block]]:
    """For each case whose technician is booked twice at once, the other cases
    it overlaps (by case id). Unassigned and unscheduled cases never conflict."""
    by_person: dict[int, list[Block]] = {}
    for block in blocks:
        if block.assignee_id is not None and block.start is not None:
            by_person.setdefault(block.assignee_id, []).append(block)
    out: dict[int, list[Block]] = {}
    for person_blocks in by_person.values():
        ordered = sorted(person_blocks, key=lambda b: (b.start, b.case_id))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                assert first.start is not None and second.start is not None
                if second.start >= (first.busy_until or first.start):
                    break  # sorted by start: nothing later overlaps ``first``
                if overlaps(first, second):
                    out.setdefault(first.case_id, []).append(second)
                    out.setdefault(second.case_id, []).append(first)
    return out


def lay_out(monday: date, people: list[tuple[int, str, str]], blocks: list[Block],
            other_names: dict[int, str] | None = None) -> Week:
    """Place ``blocks`` into one row per person (``(user_id, email, name)``) and
    one cell per day; unassigned blocks go to the side list. A case assigned to
    someone who is no longer a technician gets its own row, so it is not lost.
    The weekend folds away when nothing is booked on it."""
    all_days = [monday + timedelta(days=i) for i in range(7)]
    rows = {uid: Row(uid, email, name, {d: Cell() for d in all_days})
            for uid, email, name in people}
    unassigned: list[Block] = []
    for block in sorted(blocks, key=lambda b: (b.start is None, b.start or datetime.min,
                                               b.number)):
        if block.assignee_id is None:
            unassigned.append(block)
            continue
        if block.day not in all_days:
            continue
        row = rows.get(block.assignee_id)
        if row is None:
            name = (other_names or {}).get(block.assignee_id, "Someone no longer a technician")
            row = rows[block.assignee_id] = Row(block.assignee_id, "", name,
                                                {d: Cell() for d in all_days})
        assert block.day is not None
        row.cells[block.day].blocks.append(block)
    weekend_busy = any(row.cells[d].blocks for row in rows.values() for d in all_days[5:])
    days = all_days if weekend_busy else all_days[:5]
    return Week(monday=monday, days=days, rows=list(rows.values()), unassigned=unassigned,
                conflicts=find_conflicts(blocks), weekend_folded=not weekend_busy)


# ---- the read ------------------------------------------------------------------------

def week_blocks(actor: Actor, bundle: Bundle | None, monday: date, zone: ZoneInfo,
                case_type: str | None = None) -> tuple[list[Block], bool]:
    """The week's cases as blocks (one query) and whether the cap cut the list.

    Read: the tenant's cases whose window starts in the week, plus unassigned
    cases without a scheduled start. Final states are dropped here (through the
    published bundle's lifecycles; a case whose type has left the bundle counts
    as open)."""
    start, end = week_window(monday, zone)
    stmt = select(Case).where(Case.tenant_id == actor.tenant_id, or_(
        and_(Case.scheduled_start >= start, Case.scheduled_start < end),
        and_(Case.scheduled_start.is_(None), Case.assignee_id.is_(None))))
    if case_type:
        stmt = stmt.where(Case.case_type == case_type)
    cases = list(db.session.execute(stmt.options(*BLOCK_LOAD).order_by(
        Case.scheduled_start, Case.id).limit(MAX_CASES + 1)).scalars())
    capped = len(cases) > MAX_CASES
    types = {ct.id: ct for ct in bundle.case_types} if bundle is not None else {}
    blocks: list[Block] = []
    for case in cases[:MAX_CASES]:
        ct = types.get(case.case_type)
        state = ct.lifecycle.state(case.status) if ct is not None else None
        if state is not None and state.final:
            continue  # cancelled, invoiced: nothing left to plan
        done = ct is not None and is_work_complete_or_later(ct, case.status)
        if case.assignee_id is None and done:
            continue  # the side list holds open work only
        blocks.append(Block(
            case_id=case.id, number=case.number, title=case.title,
            customer=case.customer_name or "", case_type=case.case_type,
            status_label=state.label if state is not None else case.status.replace("_", " "),
            version=case.version, assignee_id=case.assignee_id,
            start=case.scheduled_start.astimezone(zone) if case.scheduled_start else None,
            end=case.scheduled_end.astimezone(zone) if case.scheduled_end else None,
            muted=done))
    return blocks, capped


def local_datetime(value: str | None, zone: ZoneInfo) -> str | None:
    """A ``datetime-local`` value (``2026-12-03T08:00``, the display zone's
    wall clock) as ISO text with its UTC offset, for ``update_case``. Empty
    stays empty (no window); text that is no date and time is refused in words."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed("that is not a date and time", [{
            "path": "/scheduled_start",
            "message": f"“{str(value)[:40]}” is not a date and time like 2026-12-03T08:00"}],
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.isoformat()
