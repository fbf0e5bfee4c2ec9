"""Quiet hours in the tenant's zone, across midnight and a daylight saving change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workorders.definitions.model import QuietHours
from workorders.definitions.quiet_hours import quiet_until

NIGHT = QuietHours("21:00", "07:00")
ZONE = "Europe/Stockholm"


@pytest.mark.parametrize("now,expected", [
    # 22:40 Stockholm (UTC+1 in December) waits for 07:00 the next morning
    (datetime(2026, 12, 4, 21, 40, tzinfo=UTC), datetime(2026, 12, 5, 6, 0, tzinfo=UTC)),
    # 05:30 local: the same morning
    (datetime(2026, 12, 5, 4, 30, tzinfo=UTC), datetime(2026, 12, 5, 6, 0, tzinfo=UTC)),
    # 12:00 local: not quiet
    (datetime(2026, 12, 5, 11, 0, tzinfo=UTC), None),
    # 21:00 sharp is quiet, 07:00 sharp is not
    (datetime(2026, 12, 5, 20, 0, tzinfo=UTC), datetime(2026, 12, 6, 6, 0, tzinfo=UTC)),
    (datetime(2026, 12, 5, 6, 0, tzinfo=UTC), None),
    # the night summer time starts (29 March 2026): 07:00 local is 05:00 UTC
    (datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 29, 5, 0, tzinfo=UTC)),
])
def test_quiet_hours_across_midnight(now: datetime, expected: datetime | None) -> None:
    assert quiet_until(now, NIGHT, ZONE) == expected


def test_daytime_quiet_hours_and_none() -> None:
    lunch = QuietHours("12:00", "13:00")
    assert quiet_until(datetime(2026, 12, 5, 11, 30, tzinfo=UTC), lunch, ZONE) == \
        datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 12, 5, 12, 30, tzinfo=UTC), lunch, ZONE) is None
    assert quiet_until(datetime(2026, 12, 5, 23, 0, tzinfo=UTC), None, ZONE) is None
