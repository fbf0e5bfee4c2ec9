"""Helpers to publish an example bundle and book cases in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.world import World

ROOT = Path(__file__).resolve().parents[2]


def golden_test_count(name: str = "nordvarme-heatpumps.yaml") -> int:
    """How many golden tests an example bundle holds (counted, so a test added to
    the demo does not break pages' counts elsewhere)."""
    import yaml

    return len(yaml.safe_load((ROOT / "definitions" / name).read_text("utf-8"))["tests"])


def publish_example(world: World, name: str = "nordvarme-heatpumps.yaml",
                    tenant: str = "a") -> None:
    from workorders.platform.services.definitions import create_draft, publish_version

    cast = world.a if tenant == "a" else world.b
    source = (ROOT / "definitions" / name).read_bytes()
    with world.app.app_context():
        draft = create_draft(cast.tenant_id, source, cast.emails["admin"])
        publish_version(cast.tenant_id, draft.number, cast.emails["admin"])


def booking(world: World, tenant: str = "a", **over: Any) -> dict[str, Any]:
    cast = world.a if tenant == "a" else world.b
    body: dict[str, Any] = {
        "case_type": "installation",
        "title": "Install F2120 heat pump",
        "customer": {"name": "Lena Berg", "email": "lena@example.test", "phone": "+46701234567",
                     "erp_id": "C-1001", "org_number": "5561234567", "vat_id": "SE556123456701",
                     "peppol_id": "0007:5561234567",
                     "address": {"street": "Storgatan 1", "city": "Umeå",
                                 "postal_code": "90325", "country": "SE"}},
        "site": {"street": "Storgatan 1", "city": "Umeå", "postal_code": "90325",
                 "country": "SE"},
        "scheduled_start": "2026-11-26T08:00:00+01:00",
        "scheduled_end": "2026-11-26T16:00:00+01:00",
        "assignee": cast.emails["technician"],
    }
    body.update(over)
    return body


def book(world: World, tenant: str = "a", **over: Any) -> dict[str, Any]:
    resp = world.api("coordinator", tenant).post("/api/v1/cases", json=booking(world, tenant,
                                                                                **over))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return dict(resp.json)
