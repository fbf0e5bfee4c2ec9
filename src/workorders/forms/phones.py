"""Phone numbers, checked and stored one way: E.164 (``+46701234567``).

People type numbers as they say them (``070-123 45 67``, ``+46 70 123 45 67``,
``0046 70 ...``); a technician's "Call" button and an SMS gateway need one
unambiguous spelling. The well-kept ``phonenumbers`` library (Google's
libphonenumber metadata) knows each country's numbering plan, so a number
without a country code is read in a default region: the customer's or site's
country, else the region of the tenant's locale (``sv-SE`` → SE). A number the
plan does not know is refused with :data:`messages.PHONE`, never stored as typed.
"""

from __future__ import annotations

import phonenumbers

from . import messages as msg


def locale_region(locale: str | None) -> str | None:
    """The region of a BCP 47 tag (``sv-SE`` → ``SE``), or None when it names none."""
    parts = (locale or "").replace("_", "-").split("-")
    region = parts[-1].upper() if len(parts) > 1 else ""
    return region if len(region) == 2 and region.isalpha() else None


def default_region(*candidates: str | None) -> str | None:
    """The first candidate that is a region the numbering plans know (``SE``,
    ``no``); a free-text country such as "Sweden" is passed over."""
    for candidate in candidates:
        code = (candidate or "").strip().upper()
        if code in phonenumbers.SUPPORTED_REGIONS:
            return code
    return None


def e164(text: str, region: str | None = None) -> str:
    """``text`` as an E.164 number, read in ``region`` when it has no country code.

    Raises ``ValueError`` with :data:`messages.PHONE` when it is not a valid
    number (letters, too short or long, a region's impossible prefix)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(msg.PHONE) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(msg.PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_words(value: str | None) -> str:
    """A stored number as people read it (``+46 70 123 45 67``); anything that is
    not a number (data older than the check) is shown as it was stored."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


#: what can receive a text message (a number some plans share between both counts)
_MOBILE = (phonenumbers.PhoneNumberType.MOBILE,
           phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def mobile_problem(value: str | None) -> str | None:
    """Why a text message cannot go to ``value`` (E.164), or None when it can. The
    one wording for booking and for sending."""
    if not value:
        return msg.NO_MOBILE
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return msg.PHONE
    if not phonenumbers.is_valid_number(number):
        return msg.PHONE
    if phonenumbers.number_type(number) not in _MOBILE:
        return msg.NOT_MOBILE.format(number=phone_words(value))
    return None
