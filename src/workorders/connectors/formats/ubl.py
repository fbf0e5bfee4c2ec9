"""UBL 2.1 building blocks for the Peppol format: element helpers, parties, payment.

Kept apart from the document skeleton in :mod:`.peppol` so each stays readable.
Element order follows the UBL 2.1 XSD sequences (the validator rejects any other
order); national Peppol rules are applied where the seller's country demands them:

* SE: organisation numbers as 10 digits (SE-R-003/004, PEPPOL-COMMON-R049), the
  F-tax statement exactly "Godkänd för F-skatt" (SE-R-005), Bankgiro and Plusgiro
  account ids as digits only with their branch code (SE-R-007..011).
* NO: "Foretaksregisteret" for limited companies (AS/ASA, NO-R-002).
* DK: the CVR number as legal entity with schemeID 0184 (DK-R-002/014/017).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ..document import InvoiceDocument, Party

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: ICD schemes for the legal registration number (BT-30/BT-47) by country.
LEGAL_SCHEMES = {"SE": "0007", "NO": "0192", "DK": "0184", "FI": "0212"}
_DIGITS_ONLY = {"SE", "NO", "DK"}
_GIRO = ("SE:BANKGIRO", "SE:PLUSGIRO")
_NON_DIGITS = re.compile(r"[^0-9]")

Element = Any  # lxml's _Element; typed loosely because lxml ships no stubs here


def cbc(parent: Element, name: str, text: str, **attrs: str) -> Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
    element.text = text
    return element


def cac(parent: Element, name: str) -> Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def split_endpoint(peppol_id: str) -> tuple[str, str]:
    """``"0007:5566778899"`` -> ``("0007", "5566778899")``."""
    scheme, _, identifier = peppol_id.partition(":")
    return scheme, identifier


def legal_id(party: Party) -> tuple[str, str | None] | None:
    """The organisation number as Peppol wants it, with its ICD scheme when known."""
    if not party.org_number:
        return None
    country = party.address.country if party.address else None
    number = party.org_number.strip()
    if country in _DIGITS_ONLY:
        number = _NON_DIGITS.sub("", number)
    return number, LEGAL_SCHEMES.get(country or "")


def party(parent: Element, who: Party, *, seller: bool) -> None:
    """``cac:Party`` for the seller (BG-4) or the buyer (BG-7)."""
    node = cac(parent, "Party")
    if who.peppol_id:
        scheme, identifier = split_endpoint(who.peppol_id)
        cbc(node, "EndpointID", identifier, schemeID=scheme)
    cbc(cac(node, "PartyName"), "Name", who.name)
    _address(node, who)
    country = who.address.country if who.address else None
    if who.vat_id:
        _tax_scheme(node, who.vat_id, "VAT")
    if seller and country == "SE":
        _tax_scheme(node, "Godkänd för F-skatt", "TAX")
    if seller and country == "NO" and who.name.rstrip(". ").upper().endswith((" AS", " ASA")):
        _tax_scheme(node, "Foretaksregisteret", "TAX")
    entity = cac(node, "PartyLegalEntity")
    cbc(entity, "RegistrationName", who.name)
    legal = legal_id(who)
    if legal is not None:
        number, legal_scheme = legal
        cbc(entity, "CompanyID", number, **({"schemeID": legal_scheme} if legal_scheme else {}))
    if who.phone or who.email:
        contact = cac(node, "Contact")
        if who.phone:
            cbc(contact, "Telephone", who.phone)
        if who.email:
            cbc(contact, "ElectronicMail", who.email)


def _address(node: Element, who: Party) -> None:
    address = who.address
    if address is None:
        return
    postal = cac(node, "PostalAddress")
    for name, value in (("StreetName", address.street), ("CityName", address.city),
                        ("PostalZone", address.postal_code)):
        if value:
            cbc(postal, name, value)
    if address.country:
        cbc(cac(postal, "Country"), "IdentificationCode", address.country)


def _tax_scheme(node: Element, company_id: str, scheme: str) -> None:
    tax = cac(node, "PartyTaxScheme")
    cbc(tax, "CompanyID", company_id)
    cbc(cac(tax, "TaxScheme"), "ID", scheme)


def payment_means(parent: Element, doc: InvoiceDocument) -> None:
    """``cac:PaymentMeans`` (BG-16) with the invoice number as payment id (BT-83)."""
    payment = doc.payment
    if payment is None:
        return
    means = cac(parent, "PaymentMeans")
    cbc(means, "PaymentMeansCode", payment.means_code)
    cbc(means, "PaymentID", doc.number)
    if not payment.account:
        return
    account = cac(means, "PayeeFinancialAccount")
    scheme = (payment.account_scheme or "").upper()
    number = payment.account.replace(" ", "")
    cbc(account, "ID", _NON_DIGITS.sub("", number) if scheme in _GIRO else number)
    branch = scheme if scheme in _GIRO else payment.bic
    if branch:
        cbc(cac(account, "FinancialInstitutionBranch"), "ID", branch)
