"""Bad input on the API: the right status as problem+json, and nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.support.state import snapshot
from tests.support.world import World

NEW_USER = {"email": "new@alpha.test", "roles": ["technician"], "name": "New Person"}


def assert_problem(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.json if resp.is_json else json.loads(resp.get_data(as_text=True))
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("https://")
    return body


def test_creating_a_user_works_and_is_the_baseline(world: World) -> None:
    resp = world.api("admin").post("/api/v1/users", json=NEW_USER)
    assert resp.status_code == 201
    assert resp.json["email"] == "new@alpha.test"
    assert world.api("admin").get("/api/v1/users/new@alpha.test").status_code == 200


@pytest.mark.parametrize(("body", "headers", "status"), [
    (b'{"email": "x@alpha.test", "roles": ["admin"]', {"Content-Type": "application/json"}, 400),
    (b"[1, 2]", {"Content-Type": "application/json"}, 400),
    (b'{"email": NaN}', {"Content-Type": "application/json"}, 400),
    (b"\xff\xfe\x00", {"Content-Type": "application/json"}, 400),
    (b"email=x", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    (b'{"email": "x@alpha.test", "roles": ["admin"]}', {"Content-Type": "text/plain"}, 415),
    (b'{"email": "x@alpha.test", "roles": ["admin"]}', {}, 415),
    (b'{"email": "x@alpha.test", "roles": ["boss"]}', {"Content-Type": "application/json"}, 422),
    (b'{"email": "x@alpha.test", "roles": ["admin"], "extra": 1}',
     {"Content-Type": "application/json"}, 422),
    (b'{"roles": ["admin"]}', {"Content-Type": "application/json"}, 422),
])
def test_malformed_or_invalid_bodies_are_refused_and_change_nothing(
        world: World, body: bytes, headers: dict[str, str], status: int) -> None:
    before = snapshot(world.app)
    resp = world.api("admin").post("/api/v1/users", data=body, headers=headers)
    problem = assert_problem(resp, status)
    if status == 422:
        assert problem["errors"] and all("path" in e and "message" in e for e in problem["errors"])
    assert snapshot(world.app) == before


def test_validation_errors_name_json_pointer_paths(world: World) -> None:
    resp = world.api("admin").post("/api/v1/users", json={"email": "x@alpha.test",
                                                          "roles": ["admin", "boss"]})
    problem = assert_problem(resp, 422)
    assert {"path": "/roles/1", "message": "Roles, item 2 — Pick one of: admin, coordinator, "
            "technician, viewer."} in problem["errors"]


def test_body_over_the_limit_is_413(world: World) -> None:
    before = snapshot(world.app)
    big = json.dumps({**NEW_USER, "name": "x" * (3 * 1024 * 1024)})
    resp = world.api("admin").post("/api/v1/users", data=big,
                                   headers={"Content-Type": "application/json"})
    assert_problem(resp, 413)
    assert snapshot(world.app) == before


def test_unknown_route_and_wrong_method_are_problems(world: World) -> None:
    assert_problem(world.api().get("/api/v1/no-such-thing"), 404)
    resp = world.api().open("/api/v1/me", method="DELETE")
    assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wo_not-a-real-token", "Basic abc",
                                    "Bearer " + "x" * 500])
def test_missing_or_bad_token_is_401(world: World, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    resp = world.app.test_client().get("/api/v1/me", headers=headers)
    assert_problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401_from_then_on(world: World) -> None:
    from workorders.platform.services.accounts import revoke_token

    api = world.api("coordinator")
    assert api.get("/api/v1/me").status_code == 200
    with world.app.app_context():
        revoke_token("alpha", api.token[:10])
    assert_problem(api.get("/api/v1/me"), 401)


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_roles_without_permission_get_403_and_nothing_changes(world: World, role: str) -> None:
    before = snapshot(world.app)
    assert_problem(world.api(role).post("/api/v1/users", json=NEW_USER), 403)
    assert_problem(world.api(role).get("/api/v1/jobs"), 403)
    assert snapshot(world.app) == before


def test_duplicate_member_is_a_conflict(world: World) -> None:
    before = snapshot(world.app)
    resp = world.api("admin").post("/api/v1/users", json={"email": "viewer@alpha.test",
                                                          "roles": ["viewer"]})
    assert_problem(resp, 409)
    assert snapshot(world.app) == before


def test_unexpected_errors_are_500_problems_without_internals(world: World) -> None:
    from workorders.platform.api import api as blueprint  # noqa: F401

    app = world.app

    @app.get("/api/v1/_boom")
    def _boom() -> None:
        raise RuntimeError("secret internals")

    resp = world.api().get("/api/v1/_boom")
    body = assert_problem(resp, 500)
    assert "secret" not in json.dumps(body)
