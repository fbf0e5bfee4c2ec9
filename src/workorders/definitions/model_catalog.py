"""The seller and catalog parts of the model (see :mod:`.model`).

Kept apart from case types and rules because invoicing code (connectors, the
invoice-ready document) needs only these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    postal_code: str
    country: str
    street2: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    means_code: str
    account: str
    account_scheme: str | None = None
    bic: str | None = None
    terms_days: int = 30


@dataclass(frozen=True, slots=True)
class InvoiceSeries:
    prefix: str
    start: int


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    org_number: str
    address: Address
    vat_id: str | None = None
    peppol_id: str | None = None
    email: str | None = None
    phone: str | None = None
    payment: Payment | None = None
    invoice_series: InvoiceSeries = InvoiceSeries("", 1)


@dataclass(frozen=True, slots=True)
class Article:
    number: str
    name: str
    unit: str
    price: Decimal
    vat: str
    description: str | None = None
    gtin: str | None = None


@dataclass(frozen=True, slots=True)
class Labor:
    code: str
    name: str
    unit: str
    price: Decimal
    vat: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    vat_rates: Mapping[str, Decimal]
    articles: tuple[Article, ...] = ()
    labor: tuple[Labor, ...] = ()

    def vat_rate(self, category: str) -> Decimal | None:
        return self.vat_rates.get(category)
