"""Leaf value rules shared by the JSON Schema keywords and the WTForms validators.

The formats are strict on purpose: what the API accepts is exactly what the
browser accepts, and ``date.fromisoformat`` alone would let "20261120" through
on one path and not the other. Decimals travel as strings (floats lose cents).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workorders.definitions.money import decimal_text as plain

from . import messages as msg

#: the decimal format, written for JSON Schema's ``pattern`` and for ``re``
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DECIMAL_MAX_LENGTH = 32
INTEGER_PATTERN = r"^-?[0-9]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                    r"(Z|[+-][0-9]{2}:[0-9]{2})$")
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ATTACHMENT_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

_DECIMAL = re.compile(DECIMAL_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_DATETIME = re.compile(DATETIME_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


def is_blank(value: Any) -> bool:
    """No answer: absent, null, "" or an empty list or object (an emptied input)."""
    return value is None or value == "" or value == [] or value == {}


def normalize(value: Any) -> Any:
    """Drop blank keys of objects, recursively (also inside line entries, which stay
    where they are so every error path points at the entry that was sent)."""
    if isinstance(value, dict):
        return {k: v for k, raw in value.items() if not is_blank(v := normalize(raw))}
    if isinstance(value, list):
        return [normalize(v) if isinstance(v, dict) else v for v in value]
    return value


def is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_datetime(text: str) -> bool:
    if not _DATETIME.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_email(text: str) -> bool:
    return len(text) <= 254 and _EMAIL.match(text) is not None


def is_decimal_text(text: str) -> bool:
    return len(text) <= DECIMAL_MAX_LENGTH and _DECIMAL.match(text) is not None


def decimal_bound_messages(text: str, spec: Mapping[str, Any]) -> list[str]:
    """Problems with a well-formed decimal string against ``x-decimal``'s spec.

    The spec holds bounds as strings (exact) and ``places``, the most decimals
    allowed. A malformed string gives nothing here: its format error says it all.
    """
    if not isinstance(text, str) or not is_decimal_text(text):
        return []
    number = Decimal(text)
    found: list[str] = []
    if "places" in spec and decimal_places(number) > spec["places"]:
        found.append(msg.places(spec["places"]))
    if "minimum" in spec and number < Decimal(spec["minimum"]):
        found.append(msg.at_least(spec["minimum"]))
    if "exclusiveMinimum" in spec and number <= Decimal(spec["exclusiveMinimum"]):
        found.append(msg.more_than(spec["exclusiveMinimum"]))
    if "maximum" in spec and number > Decimal(spec["maximum"]):
        found.append(msg.at_most(spec["maximum"]))
    return found


def decimal_messages(text: str, spec: Mapping[str, Any]) -> list[str]:
    """Every problem of a decimal string, in the order the JSON Schema reports them."""
    found = [msg.DECIMAL_FORMAT] if len(text) > DECIMAL_MAX_LENGTH else []
    if not _DECIMAL.match(text):
        found.append(msg.DECIMAL_FORMAT)
    return list(dict.fromkeys(found + decimal_bound_messages(text, spec)))


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def money_text(amount: Decimal, minor: int) -> str:
    """A price with at least the currency's decimals ("89.00"), more when it has them."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < minor:
        amount = amount.quantize(Decimal(1).scaleb(-minor))
    return plain(amount)


def decimal_places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
