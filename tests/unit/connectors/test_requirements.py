"""What each format needs, and what a partial document lacks, in words for a coordinator."""

from __future__ import annotations

import dataclasses

import pytest

from workorders.connectors import (
    FORMATS,
    MissingData,
    Party,
    missing_requirements,
    render_payload,
    required_fields,
    to_json_dict,
)

from .samples import OPTIONS, sample


def paths(requirements: list) -> list[str]:  # type: ignore[type-arg]
    return [r.path for r in requirements]


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_complete_samples_meet_every_requirement(format_id: str) -> None:
    for country in ("se", "no", "dk"):
        for kind in ("invoice", "credit_note"):
            assert missing_requirements(format_id, OPTIONS[format_id],
                                        sample(country, kind)) == []


def test_peppol_names_the_buyer_endpoint_in_plain_words() -> None:
    needs = required_fields("peppol_ubl", {})
    endpoint = next(r for r in needs if r.path == "buyer.peppol_id")
    assert "Peppol address (e.g. 0007:5566778899) is missing" in endpoint.message
    assert {"seller.vat_id", "case.buyer_reference", "buyer.name"} <= set(paths(needs))


def test_partial_json_document_lists_its_blockers() -> None:
    partial = {"kind": "invoice", "buyer": {"name": "Kund AB", "address": {"country": "SE"}},
               "seller": to_json_dict(sample("se").seller), "case": {"number": "C-1"},
               "lines": [{"vat_code": "S"}]}
    missing = paths(missing_requirements("peppol_ubl", {}, partial))
    assert missing == ["buyer.peppol_id", "payment.means_code", "due_date"]


def test_conditional_requirements_apply_only_when_needed() -> None:
    doc = sample("se")
    no_vat_buyer = dataclasses.replace(doc, buyer=dataclasses.replace(
        doc.buyer, vat_id=None, org_number=None))
    assert missing_requirements("peppol_ubl", {}, no_vat_buyer) == []
    reverse_charge = dataclasses.replace(no_vat_buyer, lines=tuple(
        dataclasses.replace(x, vat_code="AE", vat_rate=0) for x in doc.lines))
    assert paths(missing_requirements("peppol_ubl", {}, reverse_charge)) == ["buyer.vat_id"]
    credit = to_json_dict(sample("se", "credit_note"))
    credit["credited_number"] = None
    assert paths(missing_requirements("generic_json", {}, credit)) == ["credited_number"]


@pytest.mark.parametrize(("format_id", "option"), [
    ("fortnox_invoice", "customer_number"), ("erpnext_sales_invoice", "customer")])
def test_erp_customer_id_is_required_unless_an_option_supplies_it(format_id: str,
                                                                  option: str) -> None:
    doc = sample("se")
    anonymous = dataclasses.replace(doc, buyer=Party(name="Kund AB"))
    default = missing_requirements(format_id, {}, anonymous)
    assert paths(default) == ["buyer.erp_id"] and "customer" in default[0].message
    same_fact = {option: "{{ case.customer.erp_id }}"}
    assert paths(missing_requirements(format_id, same_fact, anonymous)) == ["buyer.erp_id"]
    assert missing_requirements(format_id, {option: "K-{{ case.number }}"}, anonymous) == []


def test_render_refuses_a_document_with_blockers() -> None:
    doc = sample("no")
    no_endpoint = dataclasses.replace(doc, buyer=dataclasses.replace(doc.buyer,
                                                                     peppol_id=None))
    with pytest.raises(MissingData) as exc:
        render_payload("peppol_ubl", no_endpoint, {}, {})
    assert paths(exc.value.missing) == ["buyer.peppol_id"]  # type: ignore[arg-type]
    assert "Peppol address" in exc.value.message
