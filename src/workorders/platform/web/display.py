"""Showing times and people the way a person reads them.

Times are stored in UTC. Pages show them in the *display zone*: the browser's
IANA zone, which ``static/js/timezone.js`` puts in the ``wo_tz`` cookie, or
Europe/Stockholm (where the demo tenants work) until that cookie exists. The
zone is only ever used to format and to read form input, never trusted as
anything else: an unknown name falls back to the default.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, request

DEFAULT_ZONE = "Europe/Stockholm"
ZONE_COOKIE = "wo_tz"
#: Zones offered on the booking form beside the browser's own.
COMMON_ZONES = ("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki",
                "Europe/Berlin", "Europe/London", "UTC")


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_zone(name: str | None) -> str | None:
    return name if name and name in _known_zones() else None


def display_zone_name() -> str:
    return valid_zone(request.cookies.get(ZONE_COOKIE)) or DEFAULT_ZONE


def display_zone() -> ZoneInfo:
    return ZoneInfo(display_zone_name())


def zone_choices(preferred: str) -> list[tuple[str, str]]:
    names = [preferred, *(z for z in COMMON_ZONES if z != preferred)]
    return [(z, z.replace("_", " ")) for z in names]


def local(value: datetime | str | None) -> datetime | None:
    """A stored UTC time (or its ISO text from a view dict) in the display zone."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(display_zone())


def fmt_datetime(value: datetime | str | None, with_zone: bool = False) -> str:
    moment = local(value)
    if moment is None:
        return "—"
    text = moment.strftime("%a %d %b %Y, %H:%M")
    return f"{text} {moment.tzname()}" if with_zone else text


def fmt_window(start: datetime | str | None, end: datetime | str | None) -> str:
    """``Thu 26 Nov 2026, 08:00–16:00 CET``: the end's date only when it differs."""
    begin, finish = local(start), local(end)
    if begin is None:
        return "Not scheduled"
    text = begin.strftime("%a %d %b %Y, %H:%M")
    if finish is not None:
        same_day = finish.date() == begin.date()
        text += "–" + finish.strftime("%H:%M" if same_day else "%a %d %b %Y, %H:%M")
    return f"{text} {begin.tzname()}"


def fmt_time(value: datetime | str | None) -> str:
    moment = local(value)
    return moment.strftime("%H:%M") if moment else ""


def age(value: datetime | str | None, now: datetime | None = None) -> str:
    """How long ago, coarse: a board card needs '3 d', not a timestamp."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def week_bounds(today: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to next Monday 00:00 of ``today``'s week, in its own zone."""
    start = today.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=today.weekday())
    return start, start + timedelta(days=7)


OWNER_WORDS = {"assignee": "Assigned technician", "customer": "Customer",
               "coordinator": "Coordinator", "admin": "Admin", "technician": "Technician",
               "viewer": "Viewer"}


def owner_words(owner: str | None) -> str:
    return OWNER_WORDS.get(owner or "", owner or "Nobody")


def init_filters(app: Flask) -> None:
    from workorders.platform.web.lookups import member_name

    filters: dict[str, Any] = {"datetime": fmt_datetime, "window": fmt_window,
                               "clock": fmt_time, "age": age, "owner_words": owner_words,
                               "person": member_name}
    app.jinja_env.filters.update(filters)
