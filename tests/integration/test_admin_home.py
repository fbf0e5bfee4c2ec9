"""The admin workspace's front page and its menu item: a card per admin page, each
with what waits there, for admins only."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_admin_history import record
from tests.integration.test_capture_pages import login
from tests.support.web import signed_in_home
from tests.support.world import World


def _card(page: str, name: str) -> str:
    return page.split(f'data-testid="admin-card-{name}"')[1].split("</a>")[0]


def _href(page: str, name: str) -> str:
    tag = page.split(f'data-testid="admin-card-{name}"')[0].rsplit("<a ", 1)[1]
    match = re.search(r'href="([^"]+)"', tag)
    assert match, name
    return match.group(1)


def test_the_front_page_links_every_admin_page(world: World) -> None:
    page = login(world, "admin").get("/admin").get_data(as_text=True)
    assert {name: _href(page, name) for name in (
        "definitions", "people", "tokens", "secrets", "jobs", "history")} == {
        "definitions": "/admin/definitions", "people": "/admin/people",
        "tokens": "/admin/tokens", "secrets": "/secrets", "jobs": "/admin/jobs",
        "history": "/admin/history"}
    for path in ("/admin/jobs", "/admin/history", "/secrets"):
        assert login(world, "admin").get(path).status_code == 200, path


def test_each_card_says_what_waits_there(world: World) -> None:
    from tests.integration.test_admin_jobs import RECEIVER, dead_job
    from tests.support.cases import publish_example
    from workorders.platform.jobs import registry

    publish_example(world)  # signs with FORTNOX_WEBHOOK, which is not set
    record(world.app, world.a.tenant_id, "definition.published", "definition", 1,
           comment="First version")
    registry.HANDLERS["test.receiver"] = "tests.integration.test_admin_jobs:_receive"
    RECEIVER.update(down=True, received=[])
    try:
        dead_job(world)
    finally:
        registry.HANDLERS.pop("test.receiver")
    page = login(world, "admin").get("/admin").get_data(as_text=True)
    assert "version 1" in _card(page, "definitions")
    assert ">4<" in _card(page, "people")  # the world's four members
    assert ">4<" in _card(page, "tokens")  # one token each
    secrets = _card(page, "secrets")
    assert "admin-card-attention" in page.split('data-testid="admin-card-secrets"')[0] \
        .rsplit("<a ", 1)[1]
    assert "the published definition needs" in secrets and "not set" in secrets
    assert 'data-testid="failed-work-count">1<' in _card(page, "jobs")
    assert "Published version 1 (“First version”)" in _card(page, "history")
    assert "Admin of Alpha Heat AB" in _card(page, "history")


def test_an_empty_workspace_reads_calmly(world: World) -> None:
    page = login(world, "admin", tenant="b").get("/admin").get_data(as_text=True)
    assert "none published" in _card(page, "definitions")
    assert 'data-testid="failed-work-count">0<' in _card(page, "jobs")
    assert "nothing failed" in _card(page, "jobs")
    assert "admin-card-attention" not in page


def test_the_admin_menu_item_marks_every_admin_page(world: World) -> None:
    admin = login(world, "admin")
    home = admin.get("/").get_data(as_text=True)
    item = home.split('data-testid="nav-admin"')[0].rsplit("<a ", 1)[1] + \
        home.split('data-testid="nav-admin"')[1].split(">")[0]
    assert 'href="/admin"' in item and "aria-current" not in item
    for path in ("/admin", "/admin/jobs", "/admin/history"):
        page = admin.get(path).get_data(as_text=True)
        assert 'data-testid="nav-admin" aria-current="page"' in page, path
        assert page.split("</header>")[0].count('aria-current="page"') == 1, path
    assert 'data-testid="nav-secrets"' in home  # the person menu keeps its Secrets link


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_only_admins_open_the_workspace(world: World, role: str) -> None:
    client = login(world, role)
    assert client.get("/admin").status_code == 403
    assert 'data-testid="nav-admin"' not in signed_in_home(client).get_data(as_text=True)
