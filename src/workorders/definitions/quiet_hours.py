"""When a tenant's quiet hours end: an SMS written at 22:40 waits until morning.

Quiet hours are two wall-clock times in the tenant's time zone (``start`` 21:00,
``end`` 07:00); they may cross midnight. Pure and zone-aware, so a daylight saving
change moves the morning with the clock, not by an hour of UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .model import QuietHours


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, quiet: QuietHours | None, zone: str) -> datetime | None:
    """The UTC moment quiet hours end if ``now`` lies inside them, else None."""
    if quiet is None:
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    start, end = _clock(quiet.start), _clock(quiet.end)
    at = local.time().replace(second=0, microsecond=0)
    crosses_midnight = start > end
    inside = (at >= start or at < end) if crosses_midnight else (start <= at < end)
    if not inside:
        return None
    day = local.date()
    if crosses_midnight and at >= start:
        day += timedelta(days=1)
    morning = datetime.combine(day, end, tzinfo=tz)
    return morning.astimezone(UTC)
