"""An XOF workspace end to end: validation asks for whole francs and the invoice
payload a connector delivers is rounded to whole francs too (the invoice side used
to round XOF to centimes)."""

from __future__ import annotations

import json

import pytest

from tests.support.exports import ROOT, drain, exports_of, invoice, ready_case
from tests.support.world import World
from workorders.errors import ValidationFailed

GENERIC_TO_FILE = """connectors:
  - id: generic
    format: generic_json
    on: "transition:invoice"
    options: {article_map: {install: "1001"}}
    transport: {type: file, directory: generic/out}

"""


def _xof_bundle(price: str = "385.00") -> bytes:
    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    source = source.replace("currency: SEK", "currency: XOF", 1)
    source = source.replace("price: 385.00,", f"price: {price},", 1)
    head, rest = source.split("\nconnectors:\n", 1)
    return f"{head}\n{GENERIC_TO_FILE}{rest[rest.index(chr(10) + 'tests:'):]}".encode()


def test_an_xof_invoice_payload_is_in_whole_francs(world: World) -> None:
    from workorders.platform.services.definitions import create_draft, publish_version

    admin = world.a.emails["admin"]
    with world.app.app_context():
        draft = create_draft(world.a.tenant_id, _xof_bundle(), admin)
        publish_version(world.a.tenant_id, draft.number, admin)
    case = ready_case(world, hours="6.25")  # 6.25 h x 695 = 4343.75 -> 4344
    invoice(world, case["id"])
    drain(world.app)
    [export] = exports_of(world)
    assert export["status"] == "delivered"
    payload = json.loads(world.api("coordinator").get(
        f"/api/v1/exports/{export['id']}/payload").data)
    assert payload["currency"] == "XOF"
    assert [line["net_amount"] for line in payload["lines"]] == ["4344", "450", "1068"]
    assert payload["totals"]["net"] == "5862" and payload["totals"]["vat_total"] == "1466"


def test_validation_asks_the_same_whole_francs(world: World) -> None:
    from workorders.platform.services.definitions import create_draft

    with world.app.app_context(), pytest.raises(ValidationFailed) as refused:
        create_draft(world.a.tenant_id, _xof_bundle(price="385.50"), world.a.emails["admin"])
    assert any("XOF uses 0 decimals" in e["message"] for e in refused.value.errors)
