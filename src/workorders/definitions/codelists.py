"""Official code lists (UN/ECE Rec 20 units, ISO 4217 currencies, ISO 3166 countries,
Peppol EAS schemes) and decimal money parsing.

The lists ship as package data (``schema/codelists.json``, extracted from the Peppol
BIS Billing 3 code lists) because an invoice with a unit or currency the receiver's
validator does not know is rejected far from where the mistake was made.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

#: ISO 4217 minor units where they differ from 2 (the code list carries no exponent).
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                     "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


@cache
def _lists() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schema/codelists.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def units() -> dict[str, str]:
    """UN/ECE Recommendation 20 (rev. 11e, with Rec 21 X-codes): code -> name."""
    result: dict[str, str] = _lists()["unece_rec20"]
    return result


def currencies() -> dict[str, str]:
    result: dict[str, str] = _lists()["iso4217"]
    return result


def countries() -> dict[str, str]:
    result: dict[str, str] = _lists()["iso3166_alpha2"]
    return result


def eas_schemes() -> dict[str, str]:
    result: dict[str, str] = _lists()["eas"]
    return result


def currency_decimals(code: str) -> int:
    """Minor units of an ISO 4217 currency (2 unless listed otherwise): the one
    table both validation and invoice rounding read, so they cannot disagree."""
    return _MINOR_UNITS.get(code.upper(), 2)


def to_decimal(value: Any) -> Decimal | None:
    """A number or decimal string as an exact Decimal, or None when it is not one.

    Floats go through ``str()`` so an unquoted YAML ``695.00`` (the float 695.0)
    becomes ``Decimal("695.0")``, never the binary expansion of the float.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def money_problem(value: Any, decimals: int) -> str | None:
    """Why ``value`` is not an amount with at most ``decimals`` decimals, else None."""
    number = to_decimal(value)
    if number is None:
        return f"{value!r} is not a decimal amount"
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return f"{value!r} has more than {decimals} decimals"
    if number < 0:
        return f"{value!r} is negative"
    return None
