"""Dates, times, numbers and money the way a tenant's people read them.

The one formatter behind every page, customer page, notification and email: a
Swedish tenant reads ``1 234,50 kr`` and ``tors 26 nov. 2026 08:00 CET``, a
British one ``SEK 1,234.50`` and ``Thu, 26 Nov 2026, 08:00 CET``. It is pure: the
locale, time zone and currency are passed in (a :class:`Formatting`, from the
tenant's published bundle), so the web pages' Jinja filters and the sandboxed
notification templates format identically and tests need no request.

Babel (CLDR) knows each locale's patterns; amounts are rounded half-up to the
currency's minor unit first (``money.round_money``, the invoices' rounding), so
a page never shows a cent the invoice does not have. Stored times are UTC; a
naive one is taken as UTC. Zone abbreviations (CET/CEST) come from the zone
database, the same in every locale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_timedelta
from babel.dates import format_time as _babel_time
from babel.numbers import format_currency, format_decimal

from .codelists import currency_decimals
from .money import round_money, to_decimal

DEFAULT_LOCALE = "en-GB"
#: where the demo tenants work; a bundle without ``timezone`` is read in this zone
DEFAULT_TIMEZONE = "Europe/Stockholm"
#: what a page shows for a time that is not there
NO_TIME = "—"


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name the zone database knows (Europe/Stockholm, UTC, ...)."""
    return frozenset(available_timezones())


def valid_zone(name: str | None) -> str | None:
    """``name`` when it is a known IANA zone, else None."""
    return name if name and name in known_zones() else None


@lru_cache(maxsize=64)
def known_locale(tag: str) -> bool:
    """Whether Babel (CLDR) has patterns for this BCP 47 tag (``sv-SE``)."""
    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    """The Babel locale of a BCP 47 tag (``sv-SE``); an unknown one is British English."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE.replace("-", "_"))


@dataclass(frozen=True, slots=True)
class Formatting:
    """A tenant's way of writing: its locale, IANA time zone and (default) currency."""

    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE
    currency: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(valid_zone(self.timezone) or DEFAULT_TIMEZONE)

    @property
    def lang(self) -> str:
        """The page's ``lang`` attribute: the BCP 47 tag (``sv-SE``)."""
        return self.locale

    def local(self, value: dt.datetime | str | None) -> dt.datetime | None:
        """A stored time (UTC, or ISO text of one) in this time zone."""
        if value is None or value == "":
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, dt.datetime):
            raise ValueError(f"{value!r} is not a date and time")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    # --- dates and times -------------------------------------------------------------
    def _day(self, moment: dt.date) -> str:
        return format_skeleton("yMMMEd", moment, locale=babel_locale(self.locale))

    def _clock(self, moment: dt.datetime) -> str:
        return _babel_time(moment, "short", locale=babel_locale(self.locale))

    def _day_and_clock(self, moment: dt.datetime) -> str:
        pattern = babel_locale(self.locale).datetime_formats["medium"]
        return str(pattern).replace("{1}", self._day(moment)).replace("{0}", self._clock(moment))

    def datetime(self, value: dt.datetime | str | None, with_zone: bool = False) -> str:
        """``tors 26 nov. 2026 08:00`` (sv-SE); with the zone: ``... 08:00 CET``."""
        moment = self.local(value)
        if moment is None:
            return NO_TIME
        text = self._day_and_clock(moment)
        return f"{text} {moment.tzname()}" if with_zone else text

    def date(self, value: dt.date | dt.datetime | str | None) -> str:
        """The day only: ``tors 26 nov. 2026``. A time is first moved into the zone;
        a plain date (``2026-11-26``) is a calendar day and is not moved."""
        if value is None or value == "":
            return NO_TIME
        if isinstance(value, str):
            value = (date.fromisoformat(value) if len(value) == 10
                     else datetime.fromisoformat(value))
        day = self.local(value) if isinstance(value, dt.datetime) else value
        return self._day(day) if day is not None else NO_TIME

    def clock(self, value: dt.datetime | str | None) -> str:
        """The time of day only: ``08:00`` (sv-SE), ``8:00 AM`` (en-US)."""
        moment = self.local(value)
        return self._clock(moment) if moment else ""

    def window(self, start: dt.datetime | str | None, end: dt.datetime | str | None) -> str:
        """``tors 26 nov. 2026 08:00–16:00 CET``: the end's day only when it differs."""
        begin, finish = self.local(start), self.local(end)
        if begin is None:
            return "Not scheduled"
        text = self._day_and_clock(begin)
        if finish is not None:
            same_day = finish.date() == begin.date()
            text += "–" + (self._clock(finish) if same_day else self._day_and_clock(finish))
        return f"{text} {begin.tzname()}"

    def age(self, value: dt.datetime | str | None, now: dt.datetime | None = None) -> str:
        """How long ago, coarse (``3 days``, sv-SE ``3 d``): a card needs no timestamp."""
        if value is None or value == "":
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
        if seconds < 60:
            return "just now"
        return format_timedelta(timedelta(seconds=seconds), threshold=1, format="short",
                                locale=babel_locale(self.locale))

    # --- numbers and money -----------------------------------------------------------
    def number(self, value: Any, decimals: int | None = None) -> str:
        """``1 234,5`` (sv-SE): the digits given are kept; ``decimals`` fixes how many."""
        if value is None or value == "":
            return ""
        amount = to_decimal(value)
        if decimals is not None:
            amount = amount.quantize(Decimal(1).scaleb(-decimals))
        return format_decimal(amount, format=_number_pattern(amount),
                              locale=babel_locale(self.locale), decimal_quantization=False)

    def money(self, value: Any, currency: str | None = None) -> str:
        """``1 234,50 kr`` (sv-SE, SEK), ``¥1,235`` (en-US, JPY): rounded half-up to the
        currency's minor unit, in the locale's pattern. No currency: the tenant's."""
        if value is None or value == "":
            return ""
        code = (currency or self.currency or "").upper()
        amount = to_decimal(value)
        if not code:
            return self.number(amount, 2)
        amount = round_money(amount, code)
        return format_currency(amount, code, locale=babel_locale(self.locale),
                               currency_digits=False, decimal_quantization=False,
                               format=_money_pattern(self.locale, currency_decimals(code)))


def _number_pattern(amount: Decimal) -> str:
    """``#,##0`` with as many decimals as the amount carries (0.50 keeps its zero)."""
    places = max(0, -int(amount.as_tuple().exponent))
    return "#,##0" + ("." + "0" * places if places else "")


@lru_cache(maxsize=64)
def _money_pattern(locale: str, decimals: int) -> str:
    """The locale's currency pattern with exactly the currency's decimals."""
    pattern = str(babel_locale(locale).currency_formats["standard"].pattern)
    positive = pattern.split(";")[0]
    start = positive.find("0.")
    if start >= 0:
        end = start + 1
        while end + 1 < len(positive) and positive[end + 1] == "0":
            end += 1
        positive = positive[:start + 1] + ("." + "0" * decimals if decimals else "") + \
            positive[end + 1:]
    return positive


def formatting_of(bundle: Any) -> Formatting:
    """The :class:`Formatting` of a bundle (its ``locale``, ``timezone``, ``currency``)."""
    return Formatting(getattr(bundle, "locale", None) or DEFAULT_LOCALE,
                      getattr(bundle, "timezone", None) or DEFAULT_TIMEZONE,
                      getattr(bundle, "currency", None))
