"""Absolute links come from WORKORDERS_PUBLIC_URL only, never from the request's Host
header (issue 11, item 5): a forged Host would put a valid customer token on an
attacker's domain."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.support.cases import book, publish_example
from tests.support.outbox import parse, plain_text
from tests.support.processes import command_env, free_port, run_workorders
from tests.support.world import World

EVIL = {"Host": "evil.example"}


def _links_in(folder: Path) -> list[str]:
    """Every link in the outbox's emails (parsed: quoted-printable lines are joined)
    and text messages."""
    texts = [plain_text(parse(p.read_bytes())) for p in folder.glob("*.eml")]
    texts += [p.read_text(encoding="utf-8") for p in folder.glob("*.sms.txt")]
    return re.findall(r"https?://[^\s\"'<>]+", "\n".join(texts))


def test_a_forged_host_header_does_not_reach_the_links_customers_get(world: World) -> None:
    publish_example(world)
    case = book(world)
    for role, transition in (("coordinator", "schedule"), ("technician", "start")):
        resp = world.api(role).post(f"/api/v1/cases/{case['id']}/transitions",
                                    json={"transition": transition}, headers=EVIL)
        assert resp.status_code == 200, resp.get_data(as_text=True)
    public_url = world.app.extensions["workorders.settings"].public_url
    links = _links_in(world.app.extensions["workorders.settings"].mail_dir)
    assert any("/status/" in link for link in links)
    assert links and all(link.startswith(public_url + "/") for link in links), links


@pytest.mark.parametrize("endpoint", ["status", "case"])
def test_links_made_inside_a_request_use_the_public_url(app: Flask, endpoint: str) -> None:
    from workorders.platform.services.customer_links import approval_link, external_url

    with app.test_request_context("/", base_url="http://evil.example", headers=EVIL):
        link = (approval_link(1, 1) if endpoint == "status"
                else external_url("web.case_page", case_id=7))
    assert link.startswith("http://127.0.0.1:5000/"), link


@pytest.fixture
def env(app: Flask, clean_database: str) -> dict[str, str]:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    return command_env(clean_database, instance)


def test_demo_links_point_at_the_port_it_serves(app: Flask, env: dict[str, str]) -> None:
    port = free_port()
    result = run_workorders(["demo", "--no-serve", "--port", str(port)], env, timeout=180)
    assert result.returncode == 0, result.stderr
    links = _links_in(app.extensions["workorders.settings"].mail_dir)
    assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links)


def test_demo_keeps_a_configured_public_url(app: Flask, env: dict[str, str]) -> None:
    env["WORKORDERS_PUBLIC_URL"] = "https://work.example.com"
    result = run_workorders(["demo", "--no-serve", "--port", str(free_port())], env, timeout=180)
    assert result.returncode == 0, result.stderr
    links = _links_in(app.extensions["workorders.settings"].mail_dir)
    assert links and all(link.startswith("https://work.example.com/") for link in links)


def test_links_keep_the_path_of_a_public_url_under_a_prefix(app: Flask) -> None:
    """Behind a proxy that mounts the app at /workorders, links carry the prefix,
    and values the route does not take become the query."""
    from workorders.platform.services.customer_links import external_url

    settings = app.extensions["workorders.settings"]
    app.extensions["workorders.settings"] = dataclasses.replace(
        settings, public_url="https://work.example.com/workorders")
    try:
        with app.app_context():
            link = external_url("web.case_page", case_id=7, tab="forms")
    finally:
        app.extensions["workorders.settings"] = settings
    assert link == "https://work.example.com/workorders/cases/7?tab=forms", link
