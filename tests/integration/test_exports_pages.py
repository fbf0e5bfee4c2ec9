"""The exports pages: list, highlighted and escaped payload preview, retry button,
and the case page's export history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_case_pages import login, text_of
from tests.support.exports import (
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.world import World


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def test_list_detail_retry_and_case_history(world: World) -> None:
    with running_receiver([500, 500]) as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("generic",), max_attempts=2))
        case = ready_case(world)
        world.api("coordinator").patch(f"/api/v1/cases/{case['id']}", json={
            "title": "x", "customer": {"name": "<script>alert(1)</script>", "erp_id": "C-1"}})
        invoice(world, case["id"])
        drain(world.app)
        [export] = exports_of(world)
        assert export["status"] == "dead"
        page = login(world, "coordinator")
        listing = text_of(page.get("/exports?status=dead"))
        assert export["invoice_number"] in listing and "answered 500" in listing
        assert export["invoice_number"] not in text_of(page.get("/exports?status=delivered"))
        detail = page.get(f"/exports/{export['id']}")
        html = text_of(detail)
        assert detail.status_code == 200 and 'data-testid="retry"' in html
        assert "<script>alert(1)" not in html  # the customer's name is shown, not run
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert '<span class="hl-key">&#34;kind&#34;</span>' in html
        retried = page.post(f"/exports/{export['id']}/retry", follow_redirects=True)
        assert "is queued again" in text_of(retried)
        drain(world.app)
        assert exports_of(world)[0]["status"] == "delivered"
        assert 'data-testid="retry"' not in text_of(page.get(f"/exports/{export['id']}"))
        history = text_of(page.get(f"/cases/{case['id']}"))
    assert 'data-testid="export-history"' in history and export["invoice_number"] in history
    assert list(receiver.stored) == [world.api().get(
        f"/api/v1/exports/{export['id']}").json["idempotency_key"]]


def test_exports_pages_are_for_coordinators_and_admins(world: World) -> None:
    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("generic",)))
    technician = login(world, "technician")
    assert technician.get("/exports").status_code == 403
    assert login(world, "admin").get("/exports").status_code == 200
    assert login(world, "coordinator", "b").get("/exports/1").status_code == 404
