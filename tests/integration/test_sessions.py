"""Browser sessions end on the server: logout and a password change make a copied
cookie worthless; over HTTPS the cookie is Secure and HSTS is sent (issue 11, item 7)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support.world import PASSWORD, World

COOKIE = "workorders_session"


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    assert client.get("/board").status_code == 200  # "/" sends a technician to My jobs
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same cookie, as a thief would."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def test_a_copied_cookie_is_worthless_after_logout(world: World) -> None:
    client = _signed_in(world.app, "admin@alpha.test")
    thief = _copy(world.app, client)
    assert thief.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    resp = thief.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_logging_out_in_one_browser_keeps_the_others_signed_in(world: World) -> None:
    phone = _signed_in(world.app, "technician@alpha.test")
    laptop = _signed_in(world.app, "technician@alpha.test")
    phone.post("/logout")
    assert laptop.get("/my").status_code == 200


def test_a_password_change_ends_every_session_of_that_person(world: World) -> None:
    from workorders.platform.services.accounts import create_user

    victim = _signed_in(world.app, "admin@alpha.test")
    other = _signed_in(world.app, "coordinator@alpha.test")
    with world.app.app_context():  # the operator resets the password from the CLI
        create_user("bravo", "admin@alpha.test", ["viewer"], password="a brand new password")
    assert victim.get("/").status_code == 302
    assert other.get("/").status_code == 200


def test_a_session_of_a_removed_session_row_cannot_choose_a_workspace(world: World) -> None:
    from workorders.platform.services.accounts import create_user

    with world.app.app_context():
        create_user("bravo", "admin@alpha.test", ["viewer"])
    client = world.app.test_client()
    assert client.post("/login", data={"email": "admin@alpha.test",
                                       "password": PASSWORD}).headers["Location"] == "/workspace"
    thief = _copy(world.app, client)
    client.post("/logout")
    resp = thief.post("/workspace", data={"tenant": str(world.b.tenant_id)})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(
        world: World, app_config: dict[str, Any]) -> None:
    from workorders.platform import create_app

    https_app = create_app({**app_config, "public_url": "https://work.example.test"})
    resp = https_app.test_client().post("/login", data={"email": "admin@alpha.test",
                                                        "password": PASSWORD})
    assert "Secure" in resp.headers["Set-Cookie"]
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_over_plain_http_there_is_no_secure_flag_or_hsts(world: World) -> None:
    resp = world.app.test_client().post("/login", data={"email": "admin@alpha.test",
                                                        "password": PASSWORD})
    assert "Secure" not in resp.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in resp.headers
