"""A connector option that fills an element the receiver cannot do without must never
render empty: validation refuses one that can (issue 12, item 8)."""

from __future__ import annotations

import pytest

from tests.unit.definitions.conftest import REPO
from workorders.definitions import load_bundle
from workorders.definitions.mandatory_options import MANDATORY_OPTIONS, READINESS_GUARDED

NORDVARME = (REPO / "definitions" / "nordvarme-heatpumps.yaml").read_text("utf-8")
BYTEWISE = (REPO / "definitions" / "bytewise-it.yaml").read_text("utf-8")
FORTNOX = 'customer_number: "{{ case.customer.erp_id }}"'
ERPNEXT = 'customer: "{{ case.customer.erp_id }}"'


def _fortnox(template: str) -> list[tuple[str, str, str | None]]:
    assert FORTNOX in NORDVARME
    quoted = template.replace("'", "''")
    text = NORDVARME.replace(FORTNOX, f"customer_number: '{quoted}'")
    return [(p.path, p.message, p.hint) for p in load_bundle(text).errors]


@pytest.mark.parametrize("template", [
    "{{ case.customer.erp_id }}",  # readiness holds the invoice until the customer has one
    "{{ case.fields.customer_reference or case.customer.erp_id }}",
    "{{ case.fields.customer_reference or 'CASH' }}",
    "{{ case.fields.customer_reference | default('CASH', true) }}",
    "K-{{ case.fields.customer_reference }}",
    "{{ case.number }}",
    "{{ 'K' if case.fields.customer_reference else case.number }}",
    "{{ case.fields.customer_reference ~ '-' ~ case.number }}",
])
def test_a_mandatory_option_that_never_renders_empty_is_accepted(template: str) -> None:
    assert _fortnox(template) == []


@pytest.mark.parametrize(("template", "reads"), [
    ("{{ case.fields.customer_reference }}", "case.fields.customer_reference"),
    ("{{ case.fields.customer_reference | trim }}", "case.fields.customer_reference"),
    ("{{ case.fields.customer_reference or case.fields.customer_reference }}",
     "case.fields.customer_reference"),
    ("{% if case.fields.customer_reference %}{{ case.number }}{% endif %}", None),
    ("{{ case.customer.erp_id[99:] }}", None),
    ("{{ case.fields.customer_reference | default('CASH') }}",
     "case.fields.customer_reference"),
    ("   ", None),
])
def test_a_mandatory_option_that_can_render_empty_is_refused(template: str,
                                                               reads: str | None) -> None:
    [(path, message, hint)] = _fortnox(template)
    assert path == "/connectors/0/options/customer_number"
    assert message.startswith("option 'customer_number' can render empty, but the "
                              "fortnox_invoice format cannot send an invoice without its "
                              "CustomerNumber")
    if reads:
        assert f"(when {reads} has no value)" in message
    assert hint == ("give it a fallback that is never empty, e.g. {{ ... or "
                    "case.customer.erp_id }} (readiness holds the invoice until the customer "
                    "has one) or {{ ... or 'text' }}")


def test_erpnext_customer_is_mandatory_too() -> None:
    assert ERPNEXT in BYTEWISE
    text = BYTEWISE.replace(ERPNEXT, 'customer: "{{ case.site.street }}"')
    [problem] = load_bundle(text).errors
    assert problem.message == (
        "option 'customer' can render empty, but the erpnext_sales_invoice format cannot "
        "send an invoice without its customer (when case.site.street has no value)")


@pytest.mark.parametrize("fmt", sorted(MANDATORY_OPTIONS))
def test_readiness_holds_an_invoice_whose_guarded_fact_is_missing(fmt: str) -> None:
    """What the rule trusts: each format's readiness still requires the customer's ERP
    id when the mandatory option reads it, so an empty one is held, never exported."""
    from workorders.connectors import FORMATS

    [option] = MANDATORY_OPTIONS[fmt]
    needs = FORMATS[fmt].requirements({option: "{{ " + READINESS_GUARDED + " }}"})
    assert "buyer.erp_id" in {r.path for r in needs}
    assert READINESS_GUARDED == "case.customer.erp_id"  # the fact buyer.erp_id is built from
