"""One decimal formatter: the API (forms) and the invoice payloads (connectors)
each had their own way to write a Decimal, which could drift apart (exponents,
trailing zeros) between what a form showed and what an invoice said."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from workorders.connectors import serialize
from workorders.definitions.money import decimal_text
from workorders.forms import values

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "workorders"


def test_forms_and_invoices_write_decimals_with_the_one_formatter() -> None:
    assert serialize.plain is values.plain is decimal_text
    assert [decimal_text(Decimal(t)) for t in ("1E+2", "0.50", "-0.000")] == [
        "100", "0.50", "-0.000"]


def test_no_other_module_formats_decimals_itself() -> None:
    formatting = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                        if ':f}"' in (text := path.read_text(encoding="utf-8"))
                        or ', "f")' in text)
    assert formatting == ["definitions/money.py"]
