"""The bootstrap CLI as an operator runs it: real processes, real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.support.processes import command_env, run_workorders


@pytest.fixture
def env(app: Flask, clean_database: str) -> dict[str, str]:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    return command_env(clean_database, instance)


def test_tenant_user_token_bootstrap_gives_a_working_token(app: Flask, env: dict[str, str]) -> None:
    assert run_workorders(["init"], env).returncode == 0
    created = run_workorders(["tenants", "create", "nordvarme", "--name", "Nordvärme AB"], env)
    assert created.returncode == 0 and "created tenant nordvarme" in created.stdout
    user = run_workorders(["users", "create", "nordvarme", "anna@nordvarme.test", "--role", "admin",
                           "--role", "coordinator", "--password", "a long password"], env)
    assert user.returncode == 0, user.stderr
    token = run_workorders(["tokens", "create", "nordvarme", "anna@nordvarme.test"], env)
    plain = token.stdout.strip()
    assert token.returncode == 0 and plain.startswith("wo_")
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert resp.status_code == 200
    assert resp.json["roles"] == ["admin", "coordinator"]
    assert resp.json["tenant"] == {"slug": "nordvarme", "name": "Nordvärme AB"}
    listed = run_workorders(["users", "list", "nordvarme"], env).stdout
    assert "anna@nordvarme.test\tadmin,coordinator" in listed
    tokens = run_workorders(["tokens", "list", "nordvarme"], env).stdout
    assert plain[:10] in tokens and "active" in tokens and plain not in tokens
    revoked = run_workorders(["tokens", "revoke", "nordvarme", plain[:10]], env)
    assert revoked.returncode == 0
    assert app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_stored_token_is_only_a_hash(app: Flask, env: dict[str, str]) -> None:
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import ApiToken

    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    run_workorders(["users", "create", "acme", "a@acme.test", "--role", "viewer"], env)
    plain = run_workorders(["tokens", "create", "acme", "a@acme.test"], env).stdout.strip()
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        assert plain not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


@pytest.mark.parametrize(("args", "message"), [
    (["tenants", "create", "Bad Slug", "--name", "x"], "tenant slug"),
    (["users", "create", "nosuch", "a@x.test", "--role", "admin"], "tenant 'nosuch' not found"),
    (["users", "create", "acme", "not-an-email", "--role", "admin"], "is not an email"),
    (["users", "create", "acme", "a@acme.test", "--role", "boss"],
     "'boss' is not a role; roles are admin"),
    (["users", "create", "acme", "a@acme.test", "--role", "admin", "--password", "short"],
     "at least 10 characters"),
    (["tokens", "create", "acme", "nobody@acme.test"], "'nobody@acme.test' is not a member"),
    (["tokens", "revoke", "acme", "wo_nothere"], "no token"),
])
def test_bad_input_gives_one_clear_line_and_changes_nothing(
        app: Flask, env: dict[str, str], args: list[str], message: str) -> None:
    from tests.support.state import snapshot

    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    before = snapshot(app)
    result = run_workorders(args, env)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(app) == before


def test_init_is_idempotent(app: Flask, env: dict[str, str]) -> None:
    first = run_workorders(["init"], env)
    second = run_workorders(["init"], env)
    assert first.returncode == second.returncode == 0
    from workorders.platform.migrate import head_revision

    assert first.stdout == second.stdout == f"database ready at revision {head_revision()}\n"


def test_python_dash_m_and_the_script_are_the_same_cli() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "workorders", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("init", "serve", "worker", "demo", "tenants", "users", "tokens"):
        assert command in out
