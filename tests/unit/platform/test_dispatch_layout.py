"""The dispatch week's pure layout: which day a case lands on, what counts as
double-booked, the weekend fold and the week parameter, without Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workorders.platform.services.dispatch import (
    BadWeek,
    Block,
    find_conflicts,
    lay_out,
    parse_week,
    week_label,
    week_window,
)

ZONE = ZoneInfo("Europe/Stockholm")
MONDAY = date(2026, 11, 30)


def block(case_id: int, who: int | None, day: int = 0, start: str | None = "08:00",
          hours: float | None = 2) -> Block:
    begin = end = None
    if start is not None:
        h, m = (int(x) for x in start.split(":"))
        begin = datetime(2026, 11, 30, h, m, tzinfo=ZONE) + timedelta(days=day)
        end = begin + timedelta(hours=hours) if hours is not None else None
    return Block(case_id=case_id, number=f"CS-{case_id}", title="Job", customer="Lena",
                 case_type="installation", status_label="Scheduled", version=1,
                 assignee_id=who, start=begin, end=end)


def test_overlapping_windows_of_one_technician_conflict_both_ways() -> None:
    a, b = block(1, 7, start="08:00"), block(2, 7, start="09:00", hours=1)
    c = block(3, 7, start="10:00")
    conflicts = find_conflicts([a, b, c])
    assert [x.case_id for x in conflicts[1]] == [2]
    assert [x.case_id for x in conflicts[2]] == [1]
    assert 3 not in conflicts  # back to back with both (they end at 10:00) is fine


def test_other_technicians_unassigned_and_open_ended_cases_do_not_conflict() -> None:
    blocks = [block(1, 7), block(2, 8), block(3, None), block(4, None),
              block(5, 9, hours=None), block(6, 9, start="08:00", hours=None),
              block(7, 10, start=None)]
    assert find_conflicts(blocks) == {}


def test_a_long_window_conflicts_with_every_case_inside_it() -> None:
    long = block(1, 7, start="07:00", hours=10)
    inner = [block(2, 7, start="08:00", hours=1), block(3, 7, start="15:00", hours=1)]
    conflicts = find_conflicts([long, *inner])
    assert sorted(x.case_id for x in conflicts[1]) == [2, 3]
    assert 2 not in {x.case_id for x in conflicts[3]}


def test_blocks_land_on_their_technicians_day_and_unassigned_on_the_side() -> None:
    people = [(7, "anna@a.test", "Anna"), (8, "bo@a.test", "Bo")]
    week = lay_out(MONDAY, people, [block(1, 7, day=2), block(2, None, day=1),
                                    block(3, 99, day=0), block(4, None, start=None)],
                   other_names={99: "Former tech"})
    anna = next(r for r in week.rows if r.email == "anna@a.test")
    assert [b.case_id for b in anna.cells[date(2026, 12, 2)].blocks] == [1]
    assert [b.case_id for b in week.unassigned] == [2, 4]  # scheduled first, then unscheduled
    former = next(r for r in week.rows if r.user_id == 99)
    assert former.name == "Former tech" and former.count == 1
    assert next(r for r in week.rows if r.email == "bo@a.test").count == 0


def test_the_weekend_folds_only_when_nothing_is_booked_on_it() -> None:
    people = [(7, "anna@a.test", "Anna")]
    weekdays = lay_out(MONDAY, people, [block(1, 7, day=4)])
    assert weekdays.weekend_folded and len(weekdays.days) == 5
    saturday = lay_out(MONDAY, people, [block(1, 7, day=5)])
    assert not saturday.weekend_folded and len(saturday.days) == 7
    assert saturday.rows[0].cells[date(2026, 12, 5)].blocks


def test_week_parameter_and_labels() -> None:
    assert parse_week("2026-W49", date(2020, 1, 1)) == MONDAY
    assert parse_week(None, date(2026, 12, 3)) == MONDAY
    assert parse_week("", date(2026, 12, 6)) == MONDAY  # Sunday belongs to Monday's week
    assert week_label(MONDAY) == "2026-W49" and week_label(date(2027, 1, 1)) == "2026-W53"
    with pytest.raises(BadWeek, match="like 2026-W49"):
        parse_week("next week", MONDAY)
    with pytest.raises(BadWeek, match="no week 54"):
        parse_week("2026-W54", MONDAY)


def test_the_week_window_is_the_local_days_across_a_clock_change() -> None:
    start, end = week_window(date(2026, 10, 19), ZONE)  # summer time ends on Sunday 25 Oct
    assert start.utcoffset() == timedelta(hours=2) and end.utcoffset() == timedelta(hours=1)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=7, hours=1)
