"""Adding people to a tenant: an admin can never take over, or learn about, a login
that other tenants share (issue 11, item 1)."""

from __future__ import annotations

import re
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.world import PASSWORD, World

ATTACKER_PASSWORD = "bravo admin chose this"


@pytest.fixture
def csrf_app(app_config: dict[str, Any]) -> Flask:
    from workorders.platform import create_app

    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def _signs_in(client: FlaskClient, email: str, password: str) -> bool:
    resp = client.post("/login", data={"email": email, "password": password})
    return resp.status_code == 302


def _mails_to(app: Flask, email: str) -> list[str]:
    """Bodies of the messages sent to ``email``, decoded as a mail client would."""
    mail_dir: Path = app.extensions["workorders.settings"].mail_dir
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(mail_dir.glob("*.eml"))]
    return [f"Subject: {m['Subject']}\n\n{m.get_content()}"  # type: ignore[attr-defined]
            for m in messages if m["To"] == email]


def _set_password_link(mail: str) -> str:
    match = re.search(r"https?://[^/\s]+(/set-password/\S+)", mail)
    assert match, f"no set-password link in:\n{mail}"
    return match.group(1)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_adding_another_tenants_login_keeps_its_password_name_and_memberships(
        world: World) -> None:
    victim = world.a.emails["admin"]
    resp = world.api("admin", "b").post("/api/v1/users", json={
        "email": victim, "roles": ["viewer"], "password": ATTACKER_PASSWORD, "name": "Mallory"})
    assert resp.status_code == 201
    assert "Alpha" not in resp.get_data(as_text=True)
    client = world.app.test_client()
    assert not _signs_in(client, victim, ATTACKER_PASSWORD)
    assert _signs_in(client, victim, PASSWORD)
    me = world.api("admin", "a").get("/api/v1/me").get_json()
    assert me["name"] == "Admin of Alpha Heat AB" and me["roles"] == ["admin"]


def test_the_answer_is_the_same_for_a_new_and_an_existing_login(world: World) -> None:
    api = world.api("admin", "b")
    body = {"roles": ["technician"], "name": "Sam", "password": ATTACKER_PASSWORD}
    existing = api.post("/api/v1/users", json={**body, "email": world.a.emails["viewer"]})
    new = api.post("/api/v1/users", json={**body, "email": "sam@elsewhere.test"})
    assert existing.status_code == new.status_code == 201
    existing_json, new_json = existing.get_json(), new.get_json()
    assert existing_json.pop("email") == world.a.emails["viewer"]
    assert new_json.pop("email") == "sam@elsewhere.test"
    assert existing_json == new_json == {"name": "Sam", "roles": ["technician"], "active": True}
    listed = api.get(f"/api/v1/users/{world.a.emails['viewer']}").get_json()
    assert listed["name"] == "Sam"


def test_a_password_is_taken_only_for_a_new_login(world: World) -> None:
    resp = world.api("admin", "b").post("/api/v1/users", json={
        "email": "new@bravo.test", "roles": ["viewer"], "password": "a fresh password"})
    assert resp.status_code == 201
    assert _signs_in(world.app.test_client(), "new@bravo.test", "a fresh password")


def test_an_existing_login_is_told_it_was_added_and_given_no_link(world: World) -> None:
    victim = world.a.emails["coordinator"]
    world.api("admin", "b").post("/api/v1/users", json={"email": victim, "roles": ["viewer"]})
    [mail] = [m for m in _mails_to(world.app, victim) if "Bravo Electric Oy" in m]
    assert "the one you already use" in mail
    assert "/set-password/" not in mail


def test_a_new_login_is_invited_and_sets_its_own_password_once(
        world: World, csrf_app: Flask) -> None:
    resp = world.api("admin", "b").post("/api/v1/users", json={
        "email": "ines@bravo.test", "roles": ["technician"], "name": "Ines"})
    assert resp.status_code == 201
    [mail] = _mails_to(world.app, "ines@bravo.test")
    link = _set_password_link(mail)
    client = csrf_app.test_client()
    assert not _signs_in(client, "ines@bravo.test", "")
    page = client.get(link)
    assert page.status_code == 200 and "ines@bravo.test" in page.get_data(as_text=True)
    token = _csrf(page.get_data(as_text=True))
    resp = client.post(link, data={"password": "my own secret", "confirm": "my own secret"})
    assert resp.status_code == 400  # no CSRF token: nothing set
    resp = client.post(link, data={"password": "my own secret", "confirm": "my own secret",
                                   "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    login_token = _csrf(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "ines@bravo.test", "password": "my own secret",
                                       "csrf_token": login_token}).status_code == 302
    reused = csrf_app.test_client().get(link)
    assert reused.status_code == 404
    assert "already been used" in reused.get_data(as_text=True)


def test_a_set_password_form_with_bad_input_changes_nothing(world: World) -> None:
    world.api("admin", "b").post("/api/v1/users", json={
        "email": "ines@bravo.test", "roles": ["technician"]})
    link = _set_password_link(_mails_to(world.app, "ines@bravo.test")[0])
    client = world.app.test_client()
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    differ = client.post(link, data={"password": "my own secret", "confirm": "my own secrex"})
    assert differ.status_code == 400
    assert "do not match" in differ.get_data(as_text=True)
    assert client.get(link).status_code == 200  # still unused
    assert not _signs_in(client, "ines@bravo.test", "my own secret")


def test_a_forged_or_expired_set_password_link_is_refused(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from itsdangerous import TimestampSigner
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import User
    from workorders.platform.services.invitations import set_password_link

    world.api("admin", "b").post("/api/v1/users", json={
        "email": "ines@bravo.test", "roles": ["technician"]})
    link = _set_password_link(_mails_to(world.app, "ines@bravo.test")[0])
    client = world.app.test_client()
    assert client.get(link[:-3] + "abc").status_code == 404
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
    with world.app.app_context():
        user = db.session.execute(select(User).where(User.email == "ines@bravo.test")).scalar_one()
        expired = _set_password_link(set_password_link(user))
    monkeypatch.undo()
    resp = client.get(expired)
    assert resp.status_code == 404 and "expired" in resp.get_data(as_text=True)


def test_an_admin_sees_and_adds_members_of_their_own_tenant_only(world: World) -> None:
    api = world.api("admin", "b")
    listed = [u["email"] for u in api.get("/api/v1/users").get_json()["items"]]
    assert listed and all(e.endswith("@bravo.test") for e in listed)
    assert api.get(f"/api/v1/users/{world.a.emails['admin']}").status_code == 404
    assert world.api("coordinator", "b").post("/api/v1/users", json={
        "email": "x@bravo.test", "roles": ["admin"]}).status_code == 403


def test_an_admin_can_send_a_member_whose_link_expired_a_new_one(world: World) -> None:
    api = world.api("admin", "b")
    api.post("/api/v1/users", json={"email": "ines@bravo.test", "roles": ["technician"]})
    resp = api.post("/api/v1/users/ines@bravo.test/invitation")
    assert resp.status_code == 202
    first, second = _mails_to(world.app, "ines@bravo.test")
    assert _set_password_link(second).startswith("/set-password/")
    client = world.app.test_client()
    assert client.post(_set_password_link(second), data={
        "password": "my own secret", "confirm": "my own secret"}).status_code == 302
    assert _signs_in(client, "ines@bravo.test", "my own secret")
    assert client.get(_set_password_link(first)).status_code == 404  # one password, one use
    assert api.post(f"/api/v1/users/{world.a.emails['admin']}/invitation").status_code == 404
    assert world.api("coordinator", "b").post(
        "/api/v1/users/ines@bravo.test/invitation").status_code == 403


def test_pages_name_a_shared_login_as_this_tenant_does(world: World) -> None:
    from tests.support.cases import book, publish_example

    shared = world.a.emails["technician"]  # "Technician of Alpha Heat AB" in alpha
    world.api("admin", "b").post("/api/v1/users", json={
        "email": shared, "roles": ["technician"], "name": "Tove in Bravo"})
    publish_example(world, tenant="b")
    case = book(world, tenant="b", assignee=shared)
    client = world.app.test_client()
    assert _signs_in(client, world.b.emails["coordinator"], PASSWORD)
    for page in ("/board", f"/cases/{case['id']}"):
        html = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert "Tove in Bravo" in html, page
        assert "Alpha" not in html, page


def test_rules_and_connectors_see_a_shared_login_by_this_tenants_name(world: World) -> None:
    from tests.support.cases import book, publish_example
    from workorders.platform.auth import actor_from_token
    from workorders.platform.services.case_context import load_case
    from workorders.platform.services.rule_facts import case_dict

    shared = world.a.emails["technician"]
    world.api("admin", "b").post("/api/v1/users", json={
        "email": shared, "roles": ["technician"], "name": "Tove in Bravo"})
    publish_example(world, tenant="b")
    case = book(world, tenant="b", assignee=shared)
    with world.app.test_request_context():
        actor = actor_from_token(world.b.tokens["coordinator"])
        assert actor is not None
        facts = case_dict(load_case(actor, case["id"]))
    assert facts["assignee"] == {"email": shared, "name": "Tove in Bravo"}


def _both_tenants_add_at_once(world: World, email: str) -> list[int]:
    start = threading.Barrier(2)
    answers: list[int] = []

    def add(tenant: str) -> None:
        start.wait()
        answers.append(world.api("admin", tenant).post("/api/v1/users", json={
            "email": email, "roles": ["viewer"]}).status_code)

    threads = [threading.Thread(target=add, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_tenants_adding_the_same_new_email_at_once_both_succeed(world: World) -> None:
    for n in range(6):
        email = f"shared{n}@elsewhere.test"
        assert _both_tenants_add_at_once(world, email) == [201, 201], email
