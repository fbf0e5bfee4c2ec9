"""Login limiting per email and per address, atomic under parallel guesses, and
unknown emails cost the same hash check as known ones (issue 11, item 8)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from flask import Flask

from tests.support.world import PASSWORD, World
from workorders.platform.config import settings_of


def _login(app: Flask, email: str, password: str, address: str = "198.51.100.7") -> int:
    resp = app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address})
    return resp.status_code


def test_one_persons_failures_do_not_lock_out_others_behind_the_same_address(
        world: World) -> None:
    for _ in range(5):
        assert _login(world.app, "admin@alpha.test", "wrong password") == 401
    assert _login(world.app, "admin@alpha.test", PASSWORD) == 429
    assert _login(world.app, "coordinator@alpha.test", PASSWORD) == 302


def test_guessing_one_email_from_many_addresses_is_still_limited(world: World) -> None:
    for n in range(5):
        assert _login(world.app, "admin@alpha.test", "wrong password", f"203.0.113.{n}") == 401
    assert _login(world.app, "admin@alpha.test", PASSWORD, "203.0.113.99") == 429


def test_one_address_guessing_many_emails_is_limited_higher(world: World) -> None:
    limit = world.app.extensions["workorders.settings"].login_attempts_per_address
    assert limit > 5
    for n in range(limit):
        assert _login(world.app, f"nobody{n}@alpha.test", "wrong password") == 401
    assert _login(world.app, "viewer@alpha.test", PASSWORD) == 429
    assert _login(world.app, "viewer@alpha.test", PASSWORD, "192.0.2.1") == 302


def test_successful_logins_do_not_count_as_failures(world: World) -> None:
    for _ in range(8):
        assert _login(world.app, "admin@alpha.test", PASSWORD) == 302
    assert _login(world.app, "admin@alpha.test", "wrong password") == 401


def test_parallel_guesses_let_through_at_most_the_limit(world: World) -> None:
    start = threading.Barrier(16)
    answers: list[int] = []

    def guess(n: int) -> None:
        start.wait()
        answers.append(_login(world.app, "admin@alpha.test", f"guess number {n}",
                              f"203.0.113.{n}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(answers) == {401: 5, 429: 11}


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash computed, by method: the costly step an attacker times."""
    import werkzeug.security

    seen: list[str] = []
    real = werkzeug.security._hash_internal

    def recording(method: str, salt: str, password: str) -> Any:
        seen.append(method)
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", recording)
    return seen


def test_an_unknown_email_costs_the_same_hash_check_as_a_known_one(
        world: World, hash_checks: list[str]) -> None:
    _login(world.app, "warm-up@nowhere.test", "wrong password", "192.0.2.2")
    hash_checks.clear()
    assert _login(world.app, "nobody@nowhere.test", "wrong password", "192.0.2.3") == 401
    unknown = list(hash_checks)
    hash_checks.clear()
    assert _login(world.app, "admin@alpha.test", "wrong password", "192.0.2.4") == 401
    assert unknown == hash_checks == [settings_of(world.app).password_hash_method]


def _proxied_login(app: Flask, email: str, password: str, client_address: str) -> int:
    resp = app.test_client().post(
        "/login", data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the TLS-terminating proxy
        headers={"X-Forwarded-For": client_address})
    return resp.status_code


def test_behind_a_trusted_proxy_each_client_address_is_limited_on_its_own(
        world: World, app_config: dict[str, Any]) -> None:
    from workorders.platform import create_app

    proxied = create_app({**app_config, "trusted_proxies": 1, "login_attempts_per_address": 3})
    for n in range(3):
        assert _proxied_login(proxied, f"nobody{n}@x.test", "wrong", "203.0.113.5") == 401
    assert _proxied_login(proxied, "viewer@alpha.test", PASSWORD, "203.0.113.5") == 429
    assert _proxied_login(proxied, "viewer@alpha.test", PASSWORD, "203.0.113.6") == 302


def test_without_trusted_proxies_a_forged_forwarded_address_is_ignored(
        world: World, app_config: dict[str, Any]) -> None:
    from workorders.platform import create_app

    direct = create_app({**app_config, "login_attempts_per_address": 3})
    for n in range(3):
        assert _proxied_login(direct, f"nobody{n}@x.test", "wrong", f"203.0.113.{n}") == 401
    assert _proxied_login(direct, "viewer@alpha.test", PASSWORD, "203.0.113.77") == 429
