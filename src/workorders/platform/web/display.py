"""Showing times, numbers and money the way the tenant's people read them.

Times are stored in UTC. Pages show them in the *display zone*: the tenant's
time zone (the published bundle's ``timezone``, Europe/Stockholm when it names
none), in the tenant's ``locale`` (sv-SE: ``tors 26 nov. 2026 08:00 CET``,
``1 234,50 kr``). The tenant's zone wins over the browser's: everyone working
for one tenant (office, technicians, customers, emails) sees the same clock, so
"08:00" on the dispatch board is "08:00" on the technician's phone. The
browser's IANA zone, which ``static/js/timezone.js`` puts in the ``wo_tz``
cookie, is only offered on the booking form, where a person may type a time in
another zone; it is only ever used to read that input, never trusted as anything
else: an unknown name falls back to the tenant's zone.

Every filter formats through the one pure formatter
(``workorders.definitions.formatting``), which notification templates use too.
The tenant's settings are read once per request from its published bundle.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, request

from workorders.definitions.formatting import (
    DEFAULT_TIMEZONE,
    Formatting,
    formatting_of,
)
from workorders.definitions.formatting import valid_zone as _valid_zone
from workorders.forms.phones import phone_words
from workorders.rules.readiness import kind_words

DEFAULT_ZONE = DEFAULT_TIMEZONE
ZONE_COOKIE = "wo_tz"
#: Zones offered on the booking form beside the browser's own.
COMMON_ZONES = ("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki",
                "Europe/Berlin", "Europe/London", "UTC")


def valid_zone(name: str | None) -> str | None:
    return _valid_zone(name)


def tenant_formatting(tenant_id: int) -> Formatting:
    """The locale, zone and currency of a tenant's published bundle (defaults without one)."""
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(tenant_id)
    return formatting_of(bundle_of(version)) if version is not None else Formatting()


def use_tenant(tenant_id: int) -> Formatting:
    """Format this request for ``tenant_id`` (pages without a signed-in person, such
    as the customer pages, name their tenant here)."""
    formatting = tenant_formatting(tenant_id)
    g.wo_formatting = formatting
    return formatting


def formatting() -> Formatting:
    """This request's tenant formatting, read once per request; defaults outside one."""
    if not has_request_context():
        return Formatting()
    cached = g.get("wo_formatting")
    if cached is None:
        actor = g.get("actor")
        cached = tenant_formatting(actor.tenant_id) if actor is not None else Formatting()
        g.wo_formatting = cached
    return cached


def display_zone_name() -> str:
    """The zone pages show times in: the tenant's."""
    return formatting().zone.key


def browser_zone_name() -> str | None:
    """The browser's own zone (the ``wo_tz`` cookie), when it is a real zone name."""
    return valid_zone(request.cookies.get(ZONE_COOKIE)) if has_request_context() else None


def display_zone() -> ZoneInfo:
    return formatting().zone


def zone_choices(preferred: str) -> list[tuple[str, str]]:
    """The booking form's zones: the preferred one, the browser's, then common ones."""
    browser = browser_zone_name()
    names = [preferred, *(z for z in (browser, *COMMON_ZONES) if z and z != preferred)]
    return [(z, z.replace("_", " ")) for z in dict.fromkeys(names)]


def local(value: datetime | str | None) -> datetime | None:
    """A stored UTC time (or its ISO text from a view dict) in the display zone."""
    return formatting().local(value)


def fmt_datetime(value: datetime | str | None, with_zone: bool = False) -> str:
    return formatting().datetime(value, with_zone)


def fmt_window(start: datetime | str | None, end: datetime | str | None) -> str:
    """``tors 26 nov. 2026 08:00–16:00 CET``: the end's date only when it differs."""
    return formatting().window(start, end)


def fmt_time(value: datetime | str | None) -> str:
    return formatting().clock(value)


def fmt_date(value: Any) -> str:
    """The day only, in the tenant's locale (``tors 26 nov. 2026``)."""
    return formatting().date(value)


def age(value: datetime | str | None, now: datetime | None = None) -> str:
    """How long ago, coarse: a board card needs '3 d', not a timestamp."""
    return formatting().age(value, now)


def money(value: Any, currency: str | None = None) -> str:
    """``1 234,50 kr`` for a Swedish tenant; without a currency, the tenant's."""
    return formatting().money(value, currency)


def number(value: Any, decimals: int | None = None) -> str:
    """``1 234,5`` for a Swedish tenant; ``decimals`` fixes the number of decimals."""
    return formatting().number(value, decimals)


def page_lang() -> str:
    """The ``lang`` of a page: the tenant's locale."""
    return formatting().lang


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


def blocker_words(kind: str) -> str:
    """An invoicing blocker's kind as its badge reads ("Missing data", not ``data``)."""
    return kind_words(kind)


def rule_words(rule_id: str | None) -> str:
    """A rule's id as words ("Overtime needs approval"): the queue names the rule
    that raised an item without showing its id."""
    text = (rule_id or "").replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else "a rule"


def init_filters(app: Flask) -> None:
    from workorders.platform.web.lookups import member_name

    filters: dict[str, Any] = {"datetime": fmt_datetime, "window": fmt_window,
                               "clock": fmt_time, "age": age, "owner_words": owner_words,
                               "person": member_name, "date": fmt_date, "money": money,
                               "number": number, "blocker_words": blocker_words,
                               "rule_words": rule_words, "phone": phone_words}
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals["page_lang"] = page_lang
