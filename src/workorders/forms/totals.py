"""Totals and priced lines from cleaned submission data, for rules and invoices.

Computed here, in the pure core, because the rules (``totals.*`` facts) and the
invoice-ready document must agree to the cent. Rounding is
:mod:`workorders.definitions.money`'s (EN 16931): each line's net rounded, line
nets summed per VAT category, VAT rounded once per category. Only billable lines
count in the amounts; non-billable lines are priced too (the coordinator sees
what was given away) but stay out of every amount. Values are read leniently so
an incomplete draft gives partial totals instead of an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workorders.definitions.model import Bundle, Field, Form
from workorders.definitions.money import line_net, money_sum, round_money, to_decimal, vat_amount

from .values import TIME_PATTERN, minutes

FREE_TEXT_UNIT = "EA"
_HUNDREDTH = Decimal("0.01")
_ZERO = Decimal(0)
_TIME = re.compile(TIME_PATTERN)


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One invoice line candidate and where it came from (form, field, index)."""

    kind: str  # "labor" | "material"
    code: str | None  # labour code or article number; None for a free-text line
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_category: str
    vat_rate: Decimal
    net: Decimal
    billable: bool
    form_id: str
    field_id: str
    index: int
    note: str | None = None
    date: str | None = None
    technician: str | None = None


@dataclass(frozen=True, slots=True)
class VatSubtotal:
    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    hours: Decimal
    billable_hours: Decimal
    labor_amount: Decimal
    material_amount: Decimal
    net_amount: Decimal
    vat_amount: Decimal
    gross_amount: Decimal
    lines: tuple[PricedLine, ...]
    vat: tuple[VatSubtotal, ...]

    def facts(self) -> dict[str, Decimal]:
        """The ``totals.*`` facts the rules see."""
        return {"hours": self.hours, "billable_hours": self.billable_hours,
                "labor_amount": self.labor_amount, "material_amount": self.material_amount,
                "net_amount": self.net_amount, "vat_amount": self.vat_amount,
                "gross_amount": self.gross_amount}


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return to_decimal(value)
    except ValueError:
        return None


def entry_hours(entry: Mapping[str, Any]) -> Decimal | None:
    """Given hours, or end minus start in hours rounded half-up to the hundredth (so
    the invoice line's quantity times price is its net, as EN 16931 requires)."""
    if "hours" in entry:
        return _number(entry["hours"])
    start, end = entry.get("start"), entry.get("end")
    if not (isinstance(start, str) and isinstance(end, str)
            and _TIME.match(start) and _TIME.match(end)):
        return None
    span = Decimal(minutes(end) - minutes(start)) / 60
    return span.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP) if span > 0 else None


def free_text_vat(bundle: Bundle) -> str:
    """Free-text lines take the category named ``standard``, else the highest rate:
    charging too little VAT is the costlier mistake."""
    rates = bundle.catalog.vat_rates
    if "standard" in rates or not rates:
        return "standard"
    return max(rates, key=lambda c: rates[c])


class _Pricer:
    def __init__(self, bundle: Bundle) -> None:
        self.bundle, self.currency = bundle, bundle.currency
        self.lines: list[PricedLine] = []
        self.hours, self.billable_hours = _ZERO, _ZERO

    def line(self, kind: str, code: str | None, description: str, quantity: Decimal,
             unit: str, price: Decimal, vat: str, src: tuple[str, str, int],
             entry: Mapping[str, Any]) -> None:
        rate = self.bundle.vat_rate(vat) or _ZERO
        self.lines.append(PricedLine(
            kind, code, description, quantity, unit, price, vat, rate,
            line_net(quantity, price, self.currency), entry.get("billable") is not False,
            *src, note=entry.get("note"), date=entry.get("date"),
            technician=entry.get("technician")))

    def time(self, entry: Mapping[str, Any], src: tuple[str, str, int]) -> None:
        hours = entry_hours(entry)
        if hours is None:
            return
        self.hours += hours
        if entry.get("billable") is not False:
            self.billable_hours += hours
        labor = self.bundle.labor(entry.get("labor") or "")
        if labor is not None:
            self.line("labor", labor.code, labor.name, hours, labor.unit, labor.price,
                      labor.vat, src, entry)

    def material(self, entry: Mapping[str, Any], field: Field,
                 src: tuple[str, str, int]) -> None:
        quantity, price = _number(entry.get("quantity")), _number(entry.get("unit_price"))
        article = self.bundle.article(entry.get("article") or "")
        if quantity is None:
            return
        if article is not None:
            own = price if field.price_override and price is not None else article.price
            self.line("material", article.number, article.name, quantity,
                      entry.get("unit") or article.unit, own, article.vat, src, entry)
        elif isinstance(entry.get("description"), str) and price is not None:
            self.line("material", None, entry["description"], quantity,
                      entry.get("unit") or FREE_TEXT_UNIT, price, free_text_vat(self.bundle),
                      src, entry)

    def totals(self) -> Totals:
        billable = [ln for ln in self.lines if ln.billable]
        labor = money_sum((ln.net for ln in billable if ln.kind == "labor"), self.currency)
        material = money_sum((ln.net for ln in billable if ln.kind == "material"),
                             self.currency)
        groups: dict[tuple[str, Decimal], Decimal] = {}
        for ln in billable:
            key = (ln.vat_category, ln.vat_rate)
            groups[key] = groups.get(key, _ZERO) + ln.net
        vat = tuple(VatSubtotal(c, r, round_money(t, self.currency),
                                vat_amount(t, r, self.currency))
                    for (c, r), t in sorted(groups.items()))
        vat_total = money_sum((v.vat for v in vat), self.currency)
        return Totals(self.hours, self.billable_hours, labor, material, labor + material,
                      vat_total, labor + material + vat_total, tuple(self.lines), vat)


def compute_totals(submissions: Iterable[tuple[Form, Mapping[str, Any]]],
                   bundle: Bundle) -> Totals:
    """Totals over the cleaned data of one or more forms of a case, in form order."""
    pricer = _Pricer(bundle)
    for form, data in submissions:
        for field in form.fields:
            entries = data.get(field.id)
            if field.type not in ("time_entries", "material_lines") \
                    or not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if not isinstance(entry, Mapping):
                    continue
                src = (form.id, field.id, index)
                if field.type == "time_entries":
                    pricer.time(entry, src)
                else:
                    pricer.material(entry, field, src)
    return pricer.totals()
