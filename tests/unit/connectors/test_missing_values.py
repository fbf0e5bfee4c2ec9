"""A value that is missing renders as empty, also through filters, joins, ``~`` and
``%``: never as the text ``None`` in an invoice (issue 12, item 8)."""

from __future__ import annotations

from typing import Any

import pytest

from workorders.connectors import render_payload
from workorders.definitions.sandbox import render_text

from .samples import OPTIONS, sample, template_context


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ po }}", ""),
    ("{{ po | trim }}", ""),
    ("{{ po | string }}", ""),
    ("{{ po | upper }}", ""),
    ("{{ po | lower }}", ""),
    ("{{ po | title }}", ""),
    ("{{ po | capitalize }}", ""),
    ("{{ po | replace('x', 'y') }}", ""),
    ("{{ po | truncate(5) }}", ""),
    ("PO {{ po ~ '/' ~ number }}", "PO /N-1"),
    ("{{ [po, number] | join('-') }}", "-N-1"),
    ("{{ '%s!' % po }}", "!"),
    ("{{ '%s-%s' % (po, number) }}", "-N-1"),
    ("{{ po or number }}", "N-1"),
])
def test_a_missing_value_renders_as_empty(template: str, expected: str) -> None:
    assert render_text(template, {"po": None, "number": "N-1"}) == expected


def test_a_present_value_still_renders_through_the_same_filters() -> None:
    assert render_text("{{ po | trim | upper }}~{{ [po, 2] | join('-') }}~{{ '%s' % 0 }}",
                       {"po": " a1 "}) == "A1~ a1 -2~0"


def test_peppol_buyer_reference_of_a_missing_fact_falls_back_instead_of_reading_none() -> None:
    doc = sample("se", "invoice")
    context: dict[str, Any] = template_context(doc)
    context["case"]["fields"]["customer_reference"] = None
    options = {**OPTIONS["peppol_ubl"],
               "buyer_reference": "{{ case.fields.customer_reference | trim }}"}
    body = render_payload("peppol_ubl", doc, options, context).body.decode()
    fallback = (doc.case.buyer_reference or doc.case.purchase_order
                or doc.case.customer_reference or doc.case.number)
    assert f"<cbc:BuyerReference>{fallback}</cbc:BuyerReference>" in body
    assert "None" not in body
