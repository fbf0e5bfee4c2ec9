"""From finished work to delivered exports in every format, on both databases,
through the API and a real local HTTP receiver."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.exports import (
    SECRET,
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.state import snapshot
from tests.support.world import World


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def test_invoicing_a_case_delivers_every_format_once(world: World) -> None:
    from workorders.connectors.transports import verify_signature

    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        items = exports_of(world)
    assert sorted(e["connector"] for e in items) == ["csv_out", "erpnext", "fortnox",
                                                     "generic", "peppol"]
    assert {e["status"] for e in items} == {"delivered"}
    assert {e["kind"] for e in items} == {"invoice"} and {e["revision"] for e in items} == {1}
    numbers = sorted(int(e["invoice_number"][1:]) for e in items)
    assert numbers == list(range(1001, 1006))  # gap-free from the seller's series
    assert sorted(receiver.by_path) == ["/csv", "/erpnext", "/fortnox", "/generic"]
    assert len(receiver.posts) == 4 == len(set(receiver.keys()))
    api = world.api("coordinator")
    for item in items:
        detail = api.get(f"/api/v1/exports/{item['id']}").json
        assert [a["ok"] for a in detail["attempts"]] == [True]
        payload = api.get(f"/api/v1/exports/{item['id']}/payload")
        if item["connector"] == "peppol":
            continue
        assert receiver.stored[detail["idempotency_key"]] == payload.data  # exact bytes
        assert payload.headers["Content-Type"] == detail["content_type"]
    fortnox = next(p for p in receiver.posts if p["path"] == "/fortnox")
    assert verify_signature(SECRET, fortnox["body"], fortnox["headers"]["X-Workorders-Signature"])
    assert fortnox["headers"]["X-Workorders-Event"] == "export.invoice"
    rows = json.loads(fortnox["body"])["Invoice"]["InvoiceRows"]
    assert rows[0]["ArticleNumber"] == "1001" and rows[0]["Unit"] == "tim"
    generic = json.loads(receiver.stored[next(iter(receiver.by_path["/generic"]))])
    assert generic["totals"]["net"] == "5688.00"  # 6 h x 695 + 1 h x 450 + 12 m x 89
    assert [a["kind"] for a in generic["attachments"]] == ["photo", "signature"]
    files = list((world.app.extensions["workorders.settings"].exports_dir / "alpha"
                  / "peppol" / "out").iterdir())
    assert [f.name for f in files] == [f"{case['number']}-1-invoice.xml"]


def test_asking_again_returns_the_existing_export(world: World) -> None:
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic",)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        body = {"connector": "generic", "case_ids": [case["id"]]}
        first = world.api("coordinator").post("/api/v1/exports", json=body)
        again = world.api("coordinator").post("/api/v1/exports", json=body,
                                              headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 202
    assert first.json["items"] == again.json["items"]
    assert first.json["items"][0]["status"] == "delivered"
    assert len(exports_of(world)) == 1 and len(receiver.posts) == 1


def test_exports_by_api_for_a_ready_case_and_errors_per_case(world: World) -> None:
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("csv_out",)))
        case = ready_case(world)  # released, not invoiced: nothing exported yet
        assert exports_of(world) == []
        resp = world.api("coordinator").post("/api/v1/exports", json={
            "connector": "csv_out", "case_ids": [case["id"], 999999]})
        drain(world.app)
    assert resp.status_code == 202, resp.json
    [item] = resp.json["items"]
    assert item["case_id"] == case["id"] and item["status"] == "delivered"  # JOBS_SYNC
    assert resp.json["errors"] == [{"case_id": 999999, "status": 404,
                                    "detail": "Case 999999 not found"}]
    assert exports_of(world)[0]["status"] == "delivered"
    body = receiver.stored[receiver.keys()[0]].decode("utf-8")
    assert body.splitlines()[0].startswith("invoice_number;kind;") and "695,00" in body


def test_bad_requests_change_nothing(world: World) -> None:
    from tests.support.capture import started_case
    from tests.support.cases import book

    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("generic",)))
    not_ready = started_case(world)
    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("csv_out",)),
                    tenant="b")
    foreign = book(world, tenant="b")
    coordinator = world.api("coordinator")
    before = snapshot(world.app)
    assert_problem(coordinator.post("/api/v1/exports", json={
        "connector": "nope", "case_ids": [not_ready["id"]]}), 422)
    refused = coordinator.post("/api/v1/exports", json={
        "connector": "generic", "case_ids": [not_ready["id"]]})
    assert_problem(refused, 409)
    [error] = refused.json["errors"]
    assert error["status"] == 409 and error["blockers"][0]["kind"] == "work"
    assert_problem(world.api("coordinator", "b").post("/api/v1/exports", json={
        "connector": "csv_out", "case_ids": [not_ready["id"]]}), 404)  # a's case, for b
    missing = coordinator.post("/api/v1/exports", json={
        "connector": "generic", "case_ids": [424242, foreign["id"]]})
    assert_problem(missing, 404)
    assert [e["status"] for e in missing.json["errors"]] == [404, 404]
    assert_problem(world.api("technician").post("/api/v1/exports", json={
        "connector": "generic", "case_ids": [not_ready["id"]]}), 403)
    assert_problem(coordinator.post("/api/v1/exports", json={"connector": "generic"}), 422)
    assert_problem(coordinator.post("/api/v1/exports/1/retry"), 404)
    assert snapshot(world.app) == before


def test_case_invoice_preview(world: World) -> None:
    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("generic",)))
    case = ready_case(world)
    preview = world.api("coordinator").get(f"/api/v1/cases/{case['id']}/invoice").json
    assert preview["ready"] is True and preview["blockers"] == []
    assert preview["document"]["number"] is None
    assert preview["document"]["totals"]["net"] == "5688.00"
    assert [ln["source"]["field_id"] for ln in preview["document"]["lines"]] == [
        "time", "time", "materials"]
