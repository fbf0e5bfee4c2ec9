"""Document parts from a definition bundle's seller, so the platform does not
hand-copy the seller block field by field (and forget the payment account)."""

from __future__ import annotations

from workorders.definitions.model_catalog import Seller

from .document import Address, Party, Payment


def seller_party(seller: Seller) -> Party:
    address = seller.address
    return Party(name=seller.name, org_number=seller.org_number, vat_id=seller.vat_id,
                 peppol_id=seller.peppol_id, email=seller.email, phone=seller.phone,
                 address=Address(street=address.street, city=address.city,
                                 postal_code=address.postal_code, country=address.country))


def seller_payment(seller: Seller) -> Payment | None:
    payment = seller.payment
    if payment is None:
        return None
    return Payment(means_code=payment.means_code, account=payment.account,
                   account_scheme=payment.account_scheme, bic=payment.bic,
                   terms_days=payment.terms_days)
