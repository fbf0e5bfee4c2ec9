"""A connector's sample payload in the editor: rendered from the latest case that is
ready for invoicing (or one asked for, or a made-up one), checked with the format's
readiness rules (Peppol's here), never stored or sent."""

from __future__ import annotations

from tests.integration.test_capture_pages import login
from tests.support.cases import book, booking, publish_example
from tests.support.exports import connectors_yaml, publish_variant, ready_case
from tests.support.state import snapshot
from tests.support.world import World

PEPPOL_MISSING = "The customer's Peppol address (e.g. 0007:5566778899) is missing"


def _peppol(world: World, tenant: str = "a") -> None:
    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("peppol",)),
                    tenant=tenant, secret=None)


def test_a_complete_case_gives_a_peppol_invoice_that_passes_readiness(world: World) -> None:
    _peppol(world)
    case = ready_case(world)
    api = world.api("admin")
    admin = login(world, "admin")
    before = snapshot(world.app)
    body = api.get("/api/v1/definitions/1/connectors/peppol/sample").json
    assert body["case"] == {"id": case["id"], "number": case["number"], "made_up": False}
    assert body["ready"] is True and body["problems"] == [] and body["blockers"] == []
    assert body["content_type"].startswith("application/xml")
    payload = body["payload"]
    assert "urn:fdc:peppol.eu:2017:poacc:billing:3.0" in payload
    assert "<cbc:ID>SAMPLE</cbc:ID>" in payload and "0007:5561234567"[5:] in payload
    assert f"Case {case['number']}" in payload  # the connector's note template
    html = admin.get("/admin/definitions/1/panels/connectors")
    text = html.get_data(as_text=True)
    assert f'href="/cases/{case["id"]}"' in text
    assert "The payload passes the format's checks (Peppol BIS 3 readiness)" in text
    assert snapshot(world.app) == before  # nothing numbered, stored or queued


def test_an_incomplete_case_names_what_peppol_still_needs(world: World) -> None:
    _peppol(world)
    customer = dict(booking(world)["customer"])
    del customer["peppol_id"]
    case = book(world, customer=customer)
    body = world.api("admin").get(
        f"/api/v1/definitions/1/connectors/peppol/sample?case_id={case['id']}").json
    assert body["ready"] is False and body["payload"] is None
    assert any(p.startswith(PEPPOL_MISSING) for p in body["problems"]), body["problems"]
    assert f"case {case['number']} has no billable lines to invoice" in body["problems"]
    assert any(PEPPOL_MISSING in b and "(needed by the peppol export)" in b
               for b in body["blockers"]), body["blockers"]


def test_without_a_ready_case_a_made_up_one_is_rendered(world: World) -> None:
    _peppol(world)
    body = world.api("admin").get("/api/v1/definitions/1/connectors/peppol/sample").json
    assert body["case"]["made_up"] is True and body["case"]["id"] is None
    assert body["ready"] is True and "Example Customer AB" in body["payload"]
    publish_example(world, tenant="b")
    fortnox = world.api("admin", "b").get("/api/v1/definitions/1/connectors/fortnox/sample")
    assert fortnox.status_code == 200
    assert '"CustomerNumber": "C-0001"' in fortnox.json["payload"]


def test_another_tenants_case_and_bad_ids_answer_404(world: World) -> None:
    _peppol(world)
    publish_example(world, tenant="b")
    theirs = book(world, tenant="b", assignee=world.b.emails["technician"])
    api = world.api("admin")
    assert api.get("/api/v1/definitions/1/connectors/peppol/sample?case_id="
                   f"{theirs['id']}").status_code == 404
    assert api.get("/api/v1/definitions/1/connectors/peppol/sample?case_id=999999"
                   ).status_code == 404
    assert api.get("/api/v1/definitions/1/connectors/peppol/sample?case_id=abc"
                   ).status_code == 422
    assert api.get("/api/v1/definitions/1/connectors/fortnox/sample").status_code == 404
