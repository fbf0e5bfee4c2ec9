"""What a Peppol BIS 3 invoice cannot be sent without, in a coordinator's words.

Derived from the validators' erp-formats.md §1 (mandatory and conditional business
terms) so that readiness lists these blockers before export, instead of the access
point rejecting the invoice days later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import CREDITED_NUMBER, Requirement, get, has_vat_code, is_credit_note


def _credit_transfer(data: Any) -> bool:
    means = get(get(data, "payment"), "means_code")
    return not is_credit_note(data) and str(means) in ("30", "31", "58")


def _invoice(data: Any) -> bool:
    return not is_credit_note(data)


REQUIREMENTS = [
    Requirement("buyer.peppol_id", "The customer's Peppol address (e.g. 0007:5566778899) is "
                "missing: add it to the customer, or choose another way to invoice them."),
    Requirement("buyer.name", "The customer's name is missing."),
    Requirement("buyer.address.country", "The customer's country is missing from their "
                "address."),
    Requirement("seller.peppol_id", "The company's own Peppol address is missing: set "
                "seller.peppol_id in the definition."),
    Requirement("seller.address.country", "The company's country is missing: set "
                "seller.address.country in the definition."),
    Requirement("seller.vat_id", "The company's VAT number is missing: set seller.vat_id in "
                "the definition.", applies=has_vat_code("S", "Z", "E", "AE", "K", "G", "L",
                                                        "M")),
    Requirement("seller.org_number", "The company's organisation number is missing: set "
                "seller.org_number in the definition."),
    Requirement("case.buyer_reference", "A buyer reference or the customer's purchase order "
                "number is needed (Peppol requires one).",
                alternatives=("case.purchase_order", "case.customer_reference", "case.number")),
    Requirement("buyer.vat_id", "The customer's VAT number is needed for reverse-charge "
                "lines.", alternatives=("buyer.org_number",), applies=has_vat_code("AE")),
    Requirement("buyer.vat_id", "The customer's VAT number is needed for intra-community "
                "supply.", applies=has_vat_code("K")),
    Requirement("payment.means_code", "The company's payment details are missing: set "
                "seller.payment in the definition.", applies=_invoice),
    Requirement("payment.account", "The company's bank account is missing: set "
                "seller.payment.account in the definition.", applies=_credit_transfer),
    Requirement("due_date", "The payment terms are missing: set seller.payment.terms_days "
                "in the definition.", alternatives=("payment.terms_days",), applies=_invoice),
    CREDITED_NUMBER,
]


def requirements(options: Mapping[str, Any]) -> list[Requirement]:
    """The buyer reference rule is met by the option when the connector sets one."""
    if options.get("buyer_reference"):
        return [r for r in REQUIREMENTS if r.path != "case.buyer_reference"]
    return list(REQUIREMENTS)
