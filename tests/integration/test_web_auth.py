"""Browser sessions: login, CSRF, rate limiting, logout, workspaces, headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.support.world import PASSWORD, World


@pytest.fixture
def csrf_app(app_config: dict[str, Any]) -> Flask:
    from workorders.platform import create_app

    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_pages_need_a_login(world: World) -> None:
    resp = world.app.test_client().get("/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=/")


def test_login_then_home_shows_the_tenant(world: World) -> None:
    client = world.app.test_client()
    resp = client.post("/login", data={"email": "coordinator@alpha.test", "password": PASSWORD})
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert "Alpha Heat AB" in text and "Coordinator of Alpha Heat AB" in text
    assert "Bravo" not in text


def test_wrong_password_is_refused_with_a_clear_message(world: World) -> None:
    resp = world.app.test_client().post("/login", data={"email": "admin@alpha.test",
                                                        "password": "wrong password"})
    assert resp.status_code == 401
    assert "do not match" in resp.get_data(as_text=True)


def test_open_redirects_after_login_are_not_followed(world: World) -> None:
    resp = world.app.test_client().post("/login", data={
        "email": "admin@alpha.test", "password": PASSWORD, "next": "https://evil.test/"})
    assert resp.headers["Location"] == "/"


def test_login_is_rate_limited_even_for_the_right_password(world: World) -> None:
    client = world.app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"email": "admin@alpha.test",
                                           "password": "nope"}).status_code == 401
    resp = client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    assert resp.status_code == 429
    assert "too many failed logins" in resp.get_data(as_text=True)


def test_forms_need_a_csrf_token(world: World, csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    resp = client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    assert resp.status_code == 400
    token = _csrf(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD,
                                       "csrf_token": token})
    assert resp.status_code == 302
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/").status_code == 200
    token = _csrf(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(world: World) -> None:
    client = world.app.test_client()
    resp = client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_person_in_two_tenants_chooses_a_workspace(world: World) -> None:
    from workorders.platform.services.accounts import create_user

    with world.app.app_context():
        create_user("bravo", "admin@alpha.test", ["viewer"])
    client = world.app.test_client()
    resp = client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    assert resp.headers["Location"] == "/workspace"
    page = client.get("/workspace").get_data(as_text=True)
    assert "Alpha Heat AB" in page and "Bravo Electric Oy" in page
    assert client.post("/workspace", data={"tenant": str(world.b.tenant_id)}).status_code == 302
    assert "Bravo Electric Oy" in client.get("/").get_data(as_text=True)


def test_a_session_cannot_pick_a_tenant_it_does_not_belong_to(world: World) -> None:
    client = world.app.test_client()
    client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    resp = client.post("/workspace", data={"tenant": str(world.b.tenant_id)})
    assert resp.status_code == 200  # not a valid choice: the form is shown again
    assert "Alpha Heat AB" in client.get("/").get_data(as_text=True)


def test_security_headers_are_set(world: World) -> None:
    resp = world.app.test_client().get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_text_from_users_is_escaped_on_pages(world: World) -> None:
    from workorders.platform.services.accounts import create_user

    with world.app.app_context():
        create_user("alpha", "xss@alpha.test", ["viewer"], name="<script>alert(1)</script>")
    client = world.app.test_client()
    client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD})
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
