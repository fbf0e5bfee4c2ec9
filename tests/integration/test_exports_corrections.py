"""A correction after export: a credit note for what was sent, a new invoice for the
new revision, Peppol output valid, and reconciliation back at 0.00 (API and CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.capture import png_bytes, report, upload
from tests.support.exports import (
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.processes import command_env, run_workorders
from tests.support.world import World
from tests.unit.connectors.conftest import ubl_validator, validate_ubl  # noqa: F401

Validate = Any


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _reconciliation(world: World) -> dict[str, dict[str, str]]:
    items = world.api("coordinator").get("/api/v1/reconciliation").json["items"]
    return {i["connector"]: i for i in items}


def _cli_reconcile(world: World, database_url: str) -> int:
    instance: Path = world.app.extensions["workorders.settings"].instance_dir
    result = run_workorders(["reconcile", "--tenant", "alpha"], command_env(database_url,
                                                                             instance))
    return result.returncode


def _reconciliation_page(world: World) -> str:
    from tests.support.world import PASSWORD

    client = world.app.test_client()
    client.post("/login", data={"email": "coordinator@alpha.test", "password": PASSWORD})
    resp = client.get("/reconciliation")
    assert resp.status_code == 200
    return " ".join(resp.get_data(as_text=True).split())


def _correct(world: World, case_id: int, hours: str) -> None:
    subs = world.api().get(f"/api/v1/cases/{case_id}/submissions").json["items"]
    final = next(s for s in subs if s["form"] == "installation_report")
    photo = final["data"]["photos"][0]
    signature = upload(world, case_id, png_bytes(), name="sig.png").json["id"]
    resp = world.api("coordinator").post(f"/api/v1/submissions/{final['id']}/corrections",
                                         json={"data": report(photo, signature, hours=hours),
                                               "reason": "two more hours on the invoice"})
    assert resp.status_code == 201, resp.json


def test_a_correction_after_export_credits_and_reinvoices(
        world: World, database_url: str, validate_ubl: Validate) -> None:  # noqa: F811
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic", "peppol")))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        assert {r["difference"] for r in _reconciliation(world).values()} == {"0.00"}
        assert _cli_reconcile(world, database_url) == 0

        _correct(world, case["id"], hours="8")  # issues the credit note and new invoice
        drain(world.app)
        again = world.api("coordinator").post("/api/v1/exports", json={
            "connector": "generic", "case_ids": [case["id"]]})
    first, credit, second = sorted(exports_of(world, connector="generic"),
                                   key=lambda e: e["id"])
    assert [(e["kind"], e["revision"]) for e in (credit, second)] == [
        ("credit_note", 1), ("invoice", 2)]
    assert [i["id"] for i in again.json["items"]] == [second["id"]]
    assert credit["credited"] == {"id": first["id"], "number": first["invoice_number"]}
    assert second["credited"] is None and second["credited_by"] is None
    assert first["credited_by"] == {"id": credit["id"], "number": credit["invoice_number"]}
    keys = receiver.keys()
    assert len(keys) == len(set(keys)) == 3  # never a resend under the invoice's key
    docs = [json.loads(receiver.stored[k]) for k in keys]
    assert [d["kind"] for d in docs] == ["invoice", "credit_note", "invoice"]
    assert docs[1]["credited_number"] == docs[0]["number"]
    assert docs[1]["lines"] == docs[0]["lines"]  # credits exactly what was sent
    assert [d["totals"]["net"] for d in docs] == ["5688.00", "5688.00", "7078.00"]
    assert {r["difference"] for r in _reconciliation(world).values()} == {"0.00"}
    assert _cli_reconcile(world, database_url) == 0
    assert "Everything reconciles" in _reconciliation_page(world)

    folder = world.app.extensions["workorders.settings"].exports_dir / "alpha" / "peppol" / "out"
    names = sorted(p.name for p in folder.iterdir())
    number = case["number"]
    assert names == [f"{number}-1-credit_note.xml", f"{number}-1-invoice.xml",
                     f"{number}-2-invoice.xml"]
    for name in names:
        assert validate_ubl((folder / name).read_bytes(), name) == [], name


def _final_report(world: World, case_id: int) -> dict[str, Any]:
    subs = world.api().get(f"/api/v1/cases/{case_id}/submissions").json["items"]
    return dict(max((s for s in subs if s["form"] == "installation_report"),
                    key=lambda s: s["revision"]))


def _exports_now(world: World) -> list[tuple[str, int, str, str]]:
    return sorted((e["kind"], e["revision"], e["status"], e["net_amount"])
                  for e in exports_of(world, connector="generic"))


def test_a_correction_after_export_reissues_by_itself_exactly_once(world: World) -> None:
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic",)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        final = _final_report(world, case["id"])
        data = report(final["data"]["photos"][0],
                      final["data"]["customer_signature"]["image"], hours="8")
        body = {"data": data, "reason": "two more hours on the invoice"}
        coordinator = world.api("coordinator")
        resp = coordinator.post(f"/api/v1/submissions/{final['id']}/corrections", json=body,
                                headers={"Idempotency-Key": "correct-once"})
        assert resp.status_code == 201, resp.json
        assert [e[:2] + e[3:] for e in _exports_now(world)] == [
            ("credit_note", 1, "5688.00"), ("invoice", 1, "5688.00"), ("invoice", 2, "7078.00")]
        replay = coordinator.post(f"/api/v1/submissions/{final['id']}/corrections", json=body,
                                  headers={"Idempotency-Key": "correct-once"})
        assert replay.status_code == 201 and replay.json == resp.json
        again = coordinator.post(f"/api/v1/submissions/{resp.json['submission']['id']}"
                                 "/corrections", json={**body, "reason": "sent twice"})
        assert again.status_code == 201, again.json
        drain(world.app)
    assert _exports_now(world) == [("credit_note", 1, "delivered", "5688.00"),
                                   ("invoice", 1, "delivered", "5688.00"),
                                   ("invoice", 2, "delivered", "7078.00")]
    keys = receiver.keys()
    docs = [json.loads(receiver.stored[k]) for k in keys]
    assert [(d["kind"], d["totals"]["net"]) for d in docs] == [
        ("invoice", "5688.00"), ("credit_note", "5688.00"), ("invoice", "7078.00")]
    assert {r["difference"] for r in _reconciliation(world).values()} == {"0.00"}


def test_a_correction_that_needs_an_approval_reissues_once_it_is_approved(
        world: World) -> None:
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic",)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        final = _final_report(world, case["id"])
        data = report(final["data"]["photos"][0],
                      final["data"]["customer_signature"]["image"], hours="17")
        coordinator = world.api("coordinator")
        resp = coordinator.post(f"/api/v1/submissions/{final['id']}/corrections",
                                json={"data": data, "reason": "a long day"})
        assert resp.status_code == 201, resp.json
        assert resp.json["evaluation"]["invoice"]["ready"] is False
        assert [e[:2] for e in _exports_now(world)] == [("invoice", 1)]  # held back
        [approval] = coordinator.get("/api/v1/approvals?status=pending").json["items"]
        decided = coordinator.post(f"/api/v1/approvals/{approval['id']}/decision",
                                   json={"decision": "approve"})
        assert decided.status_code == 200, decided.json
        drain(world.app)
    assert _exports_now(world) == [("credit_note", 1, "delivered", "5688.00"),
                                   ("invoice", 1, "delivered", "5688.00"),
                                   ("invoice", 2, "delivered", "13333.00")]
    assert {r["difference"] for r in _reconciliation(world).values()} == {"0.00"}


def test_a_correction_after_a_dead_invoice_is_kept_and_says_why_nothing_was_issued(
        world: World) -> None:
    with running_receiver([503]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, max_attempts=1,
                                               only=("generic",)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        final = _final_report(world, case["id"])
        data = report(final["data"]["photos"][0],
                      final["data"]["customer_signature"]["image"], hours="8")
        resp = world.api("coordinator").post(
            f"/api/v1/submissions/{final['id']}/corrections",
            json={"data": data, "reason": "two more hours on the invoice"})
    assert resp.status_code == 201, resp.json
    assert _exports_now(world) == [("invoice", 1, "dead", "5688.00")]
    exceptions = world.api("coordinator").get(
        "/api/v1/exceptions?code=EXPORT_NOT_CREATED").json["items"]
    assert [e["message"] for e in exceptions] == [
        "The generic export was not created on correction: invoice "
        f"{exports_of(world)[0]['invoice_number']} was never delivered (dead): retry it "
        "first, so the credit note has an invoice to credit"]
