"""One role rule for the API and the pages: for every role, a bearer token may
read exactly what the same person's pages show, no more and no less."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_case_pages import login
from tests.support.exports import (
    connectors_yaml,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
)
from tests.support.world import ROLES, World

#: (what is read, the API route, the page that shows the same thing)
READS = (
    ("export list", "/api/v1/exports", "/exports"),
    ("one export", "/api/v1/exports/{export}", "/exports/{export}"),
    ("export payload", "/api/v1/exports/{export}/payload", "/exports/{export}"),
    ("invoice document", "/api/v1/cases/{case}/invoice", "/exports/{export}"),
    ("reconciliation", "/api/v1/reconciliation", "/reconciliation"),
)
#: the same, for what only admins read
ADMIN_READS = (
    ("API tokens", "/api/v1/tokens", "/admin/tokens"),
)


@pytest.fixture
def exported(world: World) -> dict[str, Any]:
    publish_variant(world, connectors_yaml("http://127.0.0.1:9", only=("generic",)))
    case = ready_case(world)
    invoice(world, case["id"])
    [export] = exports_of(world)
    return {"case": case["id"], "export": export["id"]}


@pytest.mark.parametrize("role", ROLES)
def test_api_and_pages_agree_for_every_role(world: World, exported: dict[str, Any],
                                            role: str) -> None:
    from workorders.platform.permissions import Action, allowed_roles

    api = world.api(role)
    page = login(world, role)
    for what, api_path, page_path in READS + ADMIN_READS:
        api_status = api.get(api_path.format(**exported)).status_code
        page_status = page.get(page_path.format(**exported)).status_code
        assert api_status in (200, 403) and page_status in (200, 403), (what, api_status)
        assert api_status == page_status, (
            f"{role}: the API answers {api_status} for the {what}, the page {page_status}")
    may_read = role in allowed_roles(Action.READ_INVOICES)
    assert api.get("/api/v1/exports").status_code == (200 if may_read else 403)


def test_the_openapi_document_names_the_roles_of_invoice_reads(world: World) -> None:
    doc = world.app.test_client().get("/api/v1/openapi.json").json
    for _what, api_path, _page in READS:
        path = api_path.replace("{export}", "{export_id}").replace("{case}", "{case_id}")
        assert "Roles: coordinator, admin." in doc["paths"][path]["get"]["description"], path
