"""Money arithmetic shared by form totals and invoice documents.

Both must round identically or reconciliation (captured = invoiced - credited)
drifts by a cent. The rule is EN 16931's: round each line's net amount to the
currency's minor unit, sum the rounded line nets per VAT category, and round
the VAT of each category once (not per line). Half-up rounding, as invoices
and ERPs expect, not Python's default banker's rounding.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workorders.definitions.codelists import currency_decimals


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_decimals(currency))


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, Decimal or decimal string; floats go through str()
    so ``695.1`` stays ``695.1`` and never becomes ``695.1000000000000227``."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a decimal number") from exc
    else:
        raise ValueError(f"{value!r} is not a decimal number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain positional text, the one way forms, the API and invoice
    payloads write numbers: ``1E+2`` -> ``100``, ``0.50`` stays ``0.50``."""
    return format(value, "f")


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_money(quantity * unit_price, currency)


def vat_amount(taxable: Decimal, rate_percent: Decimal, currency: str) -> Decimal:
    return round_money(taxable * rate_percent / Decimal(100), currency)


def money_sum(amounts: Iterable[Decimal], currency: str) -> Decimal:
    return round_money(sum(amounts, Decimal(0)), currency)
