"""Helpers for page tests that read what a signed-in person sees: signing in
through the login form, the body as text, and counting the SQL a page sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.support.world import PASSWORD, TenantCast, World


def signed_in_home(client: Any) -> Any:
    """The page a person lands on from ``/`` (technicians are sent on to My jobs).

    A check that something is *not* on the home page must read a real page, not
    an empty redirect, or it can never fail: this follows the redirect and makes
    sure the navigation was rendered.
    """
    resp = client.get("/", follow_redirects=True)
    assert resp.status_code == 200
    assert 'data-testid="logout"' in resp.get_data(as_text=True)
    return resp


def login_cast(world: World, cast: TenantCast, role: str) -> FlaskClient:
    """A test client signed in through the real login form as ``cast``'s person
    for ``role`` (any tenant, including one a test made itself)."""
    client = world.app.test_client()
    resp = client.post("/login", data={"email": cast.emails[role], "password": PASSWORD})
    assert resp.status_code == 302
    return client


def login(world: World, role: str, tenant: str = "a") -> FlaskClient:
    """A test client signed in as the usual world's person for ``role`` in
    tenant ``a`` or ``b``."""
    return login_cast(world, world.a if tenant == "a" else world.b, role)


def text_of(resp: Any) -> str:
    """A response's body as text."""
    return str(resp.get_data(as_text=True))


def words_of(resp: Any) -> str:
    """A page's words as a person reads them: tags gone, spaces collapsed."""
    import html
    import re

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", text_of(resp), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@contextmanager
def engine_listener(app: Flask, name: str, listener: Any) -> Iterator[None]:
    """``listener`` on the app's engine event ``name`` for the block's duration."""
    from workorders.platform.extensions import db

    with app.app_context():
        engine = db.engine
    event.listen(engine, name, listener)
    try:
        yield
    finally:
        event.remove(engine, name, listener)


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends inside the block, in order.

    Page query budgets count these, so that a page which starts querying once
    per row fails its test instead of slowing down in production."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    with engine_listener(app, "before_cursor_execute", count):
        yield seen


def reads(seen: list[str]) -> int:
    """How many of ``seen`` read rows (SELECT, or WITH ... SELECT)."""
    return sum(1 for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH")))
