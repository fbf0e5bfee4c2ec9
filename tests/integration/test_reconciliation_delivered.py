"""Reconciliation counts what the ERP acknowledged: an export that was issued but
never delivered is listed as not reconciled, with its amount, in the API, the CLI
and the page alike, and agrees with the exports list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
from tests.support.world import PASSWORD, World


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _page(world: World) -> str:
    client = world.app.test_client()
    client.post("/login", data={"email": "coordinator@alpha.test", "password": PASSWORD})
    resp = client.get("/reconciliation")
    assert resp.status_code == 200
    return " ".join(resp.get_data(as_text=True).split())


def _cli(world: World, database_url: str) -> tuple[int, str]:
    instance: Path = world.app.extensions["workorders.settings"].instance_dir
    result = run_workorders(["reconcile", "--tenant", "alpha"],
                            command_env(database_url, instance))
    return result.returncode, result.stdout


def test_a_dead_invoice_does_not_reconcile_until_it_is_delivered(
        world: World, database_url: str) -> None:
    with running_receiver([503]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, max_attempts=1,
                                               only=("generic",)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        [dead] = exports_of(world, status="dead")

        [row] = world.api("coordinator").get("/api/v1/reconciliation").json["items"]
        assert (row["captured_net"], row["exported_net"], row["difference"],
                row["reconciled"]) == ("5688.00", "0.00", "5688.00", False)
        assert row["undelivered"] == [{
            "id": dead["id"], "kind": "invoice", "invoice_number": dead["invoice_number"],
            "status": "dead", "net_amount": "5688.00"}]
        code, out = _cli(world, database_url)
        assert code == 1
        assert f"dead invoice {dead['invoice_number']}: 5688.00 SEK" in out
        page = _page(world)
        assert "Everything reconciles" not in page
        assert "1 case does not reconcile" in page
        # the page writes money the tenant's way (sv-SE: 5 688,00 kr; _page folds the
        # no-break spaces into plain ones)
        assert f"dead invoice {dead['invoice_number']}: 5 688,00 kr" in page

        retried = world.api("coordinator").post(f"/api/v1/exports/{dead['id']}/retry")
        assert retried.status_code == 202, retried.json
        drain(world.app)
    [row] = world.api("coordinator").get("/api/v1/reconciliation").json["items"]
    assert (row["exported_net"], row["difference"], row["reconciled"], row["undelivered"]) \
        == ("5688.00", "0.00", True, [])
    assert _cli(world, database_url)[0] == 0
    assert "Everything reconciles" in _page(world)
