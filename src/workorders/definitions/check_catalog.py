"""Top-level, seller and catalog checks: code lists, money and VAT categories."""

from __future__ import annotations

from typing import Any

from . import codelists
from .branding import LOGO_EXAMPLE, LogoProblem, read_logo
from .context import Context, report_duplicates
from .formatting import known_locale, known_zones
from .schema_check import suggest


def check_top_level(ctx: Context) -> None:
    currency = ctx.bundle.currency
    if currency not in codelists.currencies():
        ctx.out.error("/currency", f"'{currency}' is not an ISO 4217 currency code",
                      suggest(currency, codelists.currencies()) or "e.g. SEK, EUR, NOK, DKK")
    _check_tenant_settings(ctx)
    seller = ctx.bundle.seller
    if seller is None:
        if ctx.bundle.connectors:
            ctx.out.error("", "connectors need a 'seller' block (the invoice issuer)",
                          "add seller: {name, org_number, vat_id, address, payment}")
        return
    country = seller.address.country
    if country not in codelists.countries():
        ctx.out.error("/seller/address/country", f"'{country}' is not an ISO 3166 country code")
    if seller.peppol_id:
        scheme = seller.peppol_id.split(":", 1)[0]
        if scheme not in codelists.eas_schemes():
            ctx.out.error("/seller/peppol_id",
                          f"'{scheme}' is not a Peppol electronic address scheme (EAS)",
                          "Swedish organisations use 0007, Norwegian 0192, Danish 0184")
    if seller.vat_id and not seller.vat_id[:2].isalpha():
        ctx.out.error("/seller/vat_id", f"the VAT id '{seller.vat_id}' must start with a "
                      "country prefix", "e.g. SE556677889901")
    if any(c.format == "peppol_ubl" for c in ctx.bundle.connectors) and not seller.peppol_id:
        ctx.out.error("/seller", "a peppol_ubl connector needs seller.peppol_id",
                      "add peppol_id: '<EAS scheme>:<identifier>'")


def check_catalog(ctx: Context) -> None:
    raw: dict[str, Any] = ctx.data.get("catalog") or {}
    decimals = codelists.currency_decimals(ctx.bundle.currency)
    rates = raw.get("vat_rates", {})
    for category, rate in rates.items():
        number = codelists.to_decimal(rate)
        if number is None or not 0 <= number <= 100:
            ctx.out.error(f"/catalog/vat_rates/{category}",
                          f"VAT rate '{category}' must be a percentage between 0 and 100")
    for section, key in (("articles", "number"), ("labor", "code")):
        items = raw.get(section, [])
        report_duplicates(ctx.out, ((item[key], f"/catalog/{section}/{i}/{key}")
                                    for i, item in enumerate(items)),
                          "article number" if section == "articles" else "labour code")
        for i, item in enumerate(items):
            _check_item(ctx, f"/catalog/{section}/{i}", item, rates, decimals)
    used = {a.vat for a in ctx.bundle.catalog.articles} | {x.vat for x in ctx.bundle.catalog.labor}
    for category in rates:
        if category not in used:
            ctx.out.warn(f"/catalog/vat_rates/{category}",
                         f"VAT category '{category}' is not used by any article or labour code")


def _check_item(ctx: Context, path: str, item: dict[str, Any], rates: dict[str, Any],
                decimals: int) -> None:
    unit = item.get("unit", "HUR")
    if unit not in codelists.units():
        ctx.out.error(f"{path}/unit", f"'{unit}' is not a UN/ECE Recommendation 20 unit code",
                      suggest(unit, ("HUR", "EA", "H87", "C62", "MTR", "KGM", "LTR", "MIN",
                                     "DAY", "SET", "MTK", "KMT"))
                      or "common codes: HUR hour, EA each, MTR metre, KGM kilogram, LTR litre")
    problem = codelists.money_problem(item["price"], decimals)
    if problem:
        ctx.out.error(f"{path}/price", f"price {problem} ({ctx.bundle.currency} uses {decimals} "
                      "decimals)", "write prices like 695.00 or \"695.00\"")
    if item["vat"] not in rates:
        ctx.out.error(f"{path}/vat", f"VAT category '{item['vat']}' is not in catalog.vat_rates",
                      suggest(item["vat"], rates) or f"known: {', '.join(rates) or 'none'}")


def _check_tenant_settings(ctx: Context) -> None:
    """The locale, time zone and logo every page, customer page and email is shown in."""
    if "locale" in ctx.data and not known_locale(ctx.bundle.locale):
        ctx.out.error("/locale", f"'{ctx.bundle.locale}' is not a language and country we "
                      "can write dates and money in", "e.g. sv-SE, nb-NO, da-DK, en-GB, de-DE")
    if "timezone" in ctx.data and ctx.bundle.timezone not in known_zones():
        zone = ctx.bundle.timezone
        ctx.out.error("/timezone", f"'{zone}' is not a time zone name",
                      suggest(zone, known_zones()) or "use an IANA name such as "
                      "Europe/Stockholm, Europe/Oslo or Europe/London")
    if ctx.bundle.logo is not None:
        try:
            read_logo(ctx.bundle.logo)
        except LogoProblem as problem:
            ctx.out.error("/branding/logo", str(problem), f"e.g. logo: {LOGO_EXAMPLE}")
