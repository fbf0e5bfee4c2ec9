"""The example tenants' own connectors, end to end: a VoltFix call-out goes from
the electrician's report to a Peppol invoice file that passes the official
validation artefacts, and a ByteWise support visit to an ERPNext Sales Invoice
delivered to a real local receiver, signed with the tenant's secret."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.capture import jpeg_bytes, png_bytes, upload
from tests.support.cases import book, publish_example
from tests.support.exports import exports_of, running_receiver
from tests.support.world import World
from tests.unit.connectors.conftest import ubl_validator, validate_ubl  # noqa: F401

Validate = Callable[[bytes, str], list[str]]
NO_CUSTOMER = {"name": "Borettslaget Solsiden", "email": "styret@solsiden.example",
               "erp_id": "K-77", "org_number": "987654325", "vat_id": "NO987654325MVA",
               "peppol_id": "0192:987654325",
               "address": {"street": "Solveien 1", "city": "Oslo", "postal_code": "0151",
                           "country": "NO"}}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The test's ERP receiver listens on loopback, which deliveries refuse unless allowed."""
    return {**app_config, "outbound_allow": ("127.0.0.1",)}


def _move(world: World, case_id: int, role: str, transition: str) -> dict[str, Any]:
    resp = world.api(role).post(f"/api/v1/cases/{case_id}/transitions",
                                json={"transition": transition})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return dict(resp.json)


def _report(world: World, case_id: int, form: str, data: dict[str, Any]) -> None:
    resp = world.api("technician").post(f"/api/v1/cases/{case_id}/submissions",
                                        json={"form": form, "data": data})
    assert resp.status_code == 201, resp.get_data(as_text=True)


@pytest.mark.peppol
def test_a_voltfix_callout_becomes_a_valid_peppol_invoice_file(
        world: World, validate_ubl: Validate) -> None:  # noqa: F811
    publish_example(world, "voltfix-electric.yaml")
    case = book(world, case_type="callout", title="Jordfeilbryter løser ut",
                customer=NO_CUSTOMER, fields={"property_manager_ref": "PM-2231"})
    cid = case["id"]
    _move(world, cid, "coordinator", "dispatch")
    _move(world, cid, "technician", "arrive")
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    _report(world, cid, "callout_report", {
        "fault_type": "tripping_breaker",
        "time": [{"date": "2026-11-20", "hours": "1.5", "labor": "electrician"}],
        "materials": [{"article": "CALLOUT", "quantity": "1"},
                      {"article": "1401510", "quantity": "1"}],
        "work_description": "Replaced the faulty RCBO in the kitchen circuit",
        "repaired": True, "photos": [photo],
        "customer_signature": {"image": signature, "name": "Kari Nordmann"},
        "signer_name": "Kari Nordmann"})
    _move(world, cid, "technician", "complete")
    ready = world.api().get(f"/api/v1/cases/{cid}").json["invoice"]
    assert ready == {"ready": True, "blockers": []}, ready
    _move(world, cid, "coordinator", "release")
    _move(world, cid, "coordinator", "invoice")
    [export] = exports_of(world)
    assert (export["connector"], export["kind"], export["status"]) == ("ehf", "invoice",
                                                                        "delivered")
    folder = (world.app.extensions["workorders.settings"].exports_dir / "alpha" / "peppol"
              / "outgoing")
    [path] = list(folder.iterdir())
    assert path.name.startswith(case["number"]) and path.suffix == ".xml"
    body = path.read_bytes()
    assert validate_ubl(body, path.name) == []
    assert b"PM-2231" in body  # the buyer reference from the bundle's template
    assert world.api().get(f"/api/v1/exports/{export['id']}/payload").data == body


def test_a_bytewise_visit_becomes_a_signed_erpnext_sales_invoice(world: World) -> None:
    from workorders.connectors.transports import verify_signature
    from workorders.platform.services.tenant_secrets import set_secret

    with world.app.app_context():
        set_secret(world.a.tenant_id, "ERPNEXT_WEBHOOK", "bytewise-secret", world.a.emails["admin"])
    with running_receiver() as receiver:
        source = (publish_example.__globals__["ROOT"] / "definitions" / "bytewise-it.yaml")
        text = source.read_text(encoding="utf-8").replace(
            "https://erp.bytewise.example/api/method/workorders.receive", receiver.url)
        _publish_text(world, text)
        case = book(world, case_type="onsite_support", title="Printer queue stuck",
                    customer={**NO_CUSTOMER, "erp_id": "CUST-0042"})
        cid = case["id"]
        for role, transition in (("coordinator", "schedule"), ("technician", "arrive")):
            _move(world, cid, role, transition)
        _report(world, cid, "support_visit", _bytewise_visit())
        _move(world, cid, "technician", "resolve")
        _move(world, cid, "coordinator", "release")
        _move(world, cid, "coordinator", "invoice")
        [export] = exports_of(world)
        assert export["status"] == "delivered", export
        [post] = receiver.posts
    doc = json.loads(post["body"])
    assert doc["customer"] == "CUST-0042" and doc["company"] == "ByteWise ApS"
    assert {item["item_code"] for item in doc["items"]} <= {"SRV-CONSULT", "SRV-SENIOR",
                                                            "SRV-OT", "SRV-TRAVEL"}
    assert verify_signature("bytewise-secret", post["body"],
                            post["headers"]["X-Workorders-Signature"])
    assert not verify_signature("another-secret", post["body"],
                                post["headers"]["X-Workorders-Signature"])


def _publish_text(world: World, text: str) -> None:
    resp = world.api("admin").post("/api/v1/definitions", data=text,
                                   headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    published = world.api("admin").post(f"/api/v1/definitions/{resp.json['version']}/publish")
    assert published.status_code == 200, published.get_data(as_text=True)


def _bytewise_visit() -> dict[str, Any]:
    """Six hours of consulting, no overtime (which would wait for the customer's
    approval): the visit is invoiceable as soon as it is resolved."""
    return {"category": "server",
            "time": [{"date": "2026-11-20", "hours": "6", "labor": "consulting"}],
            "work_description": "Restored the file server from backup", "resolved": True}
