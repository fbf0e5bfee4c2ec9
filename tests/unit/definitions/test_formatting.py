"""The one formatter of dates, times, numbers and money (issue 15): each tenant's
people read them in their locale and time zone, on pages, customer pages and in
emails alike. Babel's separators are no-break spaces (U+00A0): ``1 234,50 kr``
never wraps between its digits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from workorders.definitions.formatting import Formatting, formatting_of, known_locale

NB = "\xa0"
SV = Formatting("sv-SE", "Europe/Stockholm", "SEK")
GB = Formatting("en-GB", "Europe/London", "GBP")
US = Formatting("en-US", "America/New_York", "USD")
DE = Formatting("de-DE", "Europe/Berlin", "EUR")


@pytest.mark.parametrize(("fmt", "amount", "currency", "expected"), [
    (SV, "1234.5", None, f"1{NB}234,50{NB}kr"),
    (SV, Decimal("-1234.5"), None, f"-1{NB}234,50{NB}kr"),
    (SV, 0, None, f"0,00{NB}kr"),
    (GB, "1234.5", None, "£1,234.50"),
    (GB, "-1234.5", None, "-£1,234.50"),
    (US, 1234.5, None, "$1,234.50"),
    (US, "-0.5", None, "-$0.50"),
    (DE, "1234.5", None, f"1.234,50{NB}€"),
    (DE, "-1234.5", None, f"-1.234,50{NB}€"),
    (US, "1234.5", "JPY", "¥1,235"),  # 0 decimals, rounded half-up like the invoices
    (SV, "1234.4", "JPY", f"1{NB}234{NB}JPY"),
    (DE, "2.5", "JPY", f"3{NB}¥"),
    (SV, "0.005", None, f"0,01{NB}kr"),  # half-up, not banker's rounding
    (GB, "10", "SEK", "SEK10.00"),
])
def test_money_in_the_tenants_locale(fmt: Formatting, amount: object, currency: str | None,
                                     expected: str) -> None:
    assert fmt.money(amount, currency) == expected


def test_missing_money_is_empty_and_a_bad_amount_is_refused() -> None:
    assert SV.money(None) == "" and SV.money("") == ""
    with pytest.raises(ValueError, match="not a decimal number"):
        SV.money("lots")


def test_numbers_keep_their_digits_or_take_a_fixed_count() -> None:
    assert SV.number("1234.50") == f"1{NB}234,50"
    assert SV.number(3) == "3"
    assert GB.number("2.5", 2) == "2.50"
    assert DE.number(Decimal("-1234.5")) == "-1.234,5"
    assert US.number("1234567") == "1,234,567"
    assert SV.number(None) == ""
    assert Formatting("sv-SE").money("12.5") == "12,50"  # no currency: a plain amount


WINTER = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 CET in Stockholm
SUMMER = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)    # 08:00 CEST


def test_dates_and_times_in_the_tenants_zone_and_locale() -> None:
    assert SV.datetime(WINTER, with_zone=True) == "tors 26 nov. 2026 08:00 CET"
    assert SV.datetime("2026-07-01T06:00:00+00:00", True) == "ons 1 juli 2026 08:00 CEST"
    assert GB.datetime(WINTER, True) == "Thu, 26 Nov 2026, 07:00 GMT"
    assert US.datetime(WINTER) == "Thu, Nov 26, 2026, 2:00\u202fAM"
    assert DE.datetime(WINTER) == "Do., 26. Nov. 2026, 08:00"
    assert SV.datetime(None) == "—"
    assert SV.datetime(WINTER.replace(tzinfo=None)) == "tors 26 nov. 2026 08:00"  # naive = UTC


def test_a_window_names_the_end_day_only_when_it_differs() -> None:
    end = SUMMER.replace(hour=14)
    assert SV.window(SUMMER, end) == "ons 1 juli 2026 08:00–16:00 CEST"
    assert SV.window(SUMMER, end.replace(day=2)) == (
        "ons 1 juli 2026 08:00–tors 2 juli 2026 16:00 CEST")
    assert US.window(SUMMER, end) == "Wed, Jul 1, 2026, 2:00\u202fAM–10:00\u202fAM EDT"
    assert SV.window(None, None) == "Not scheduled"


def test_a_day_and_a_clock() -> None:
    assert SV.date(WINTER) == "tors 26 nov. 2026"
    assert SV.date("2026-11-26") == "tors 26 nov. 2026"  # a calendar day is not moved
    assert SV.date(date(2026, 11, 26)) == "tors 26 nov. 2026"
    assert Formatting("sv-SE", "Pacific/Auckland").date(WINTER) == "tors 26 nov. 2026"
    assert Formatting("sv-SE", "America/Los_Angeles").date(WINTER) == "ons 25 nov. 2026"
    assert SV.clock(WINTER) == "08:00" and US.clock(WINTER) == "2:00\u202fAM"
    assert SV.clock(None) == ""


def test_age_is_coarse_and_in_the_locale() -> None:
    now = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    assert SV.age(WINTER, now) == "3 d" and GB.age(WINTER, now) == "3 days"
    assert GB.age(now, now) == "just now" and GB.age(None) == ""


def test_an_unknown_locale_or_zone_falls_back_and_is_reported_unknown() -> None:
    odd = Formatting("xx-QQ", "Mars/Olympus")
    assert odd.datetime(WINTER, True) == "Thu, 26 Nov 2026, 08:00 CET"
    assert not known_locale("xx-QQ") and known_locale("sv-SE") and known_locale("nb-NO")


def test_a_bundle_gives_its_formatting() -> None:
    class Bundle:
        locale, timezone, currency = "sv-SE", "Europe/Oslo", "NOK"

    assert formatting_of(Bundle()) == Formatting("sv-SE", "Europe/Oslo", "NOK")
    assert SV.lang == "sv-SE"
