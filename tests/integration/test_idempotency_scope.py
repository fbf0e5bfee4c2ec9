"""An ``Idempotency-Key`` belongs to the caller who sent it (user and tenant),
as Stripe scopes keys to an account: another person reusing the same key
string gets their own answer, never the first caller's stored one."""

from __future__ import annotations

from tests.support.cases import booking, publish_example
from tests.support.world import World


def test_the_same_key_from_another_user_is_processed_for_that_user(world: World) -> None:
    publish_example(world)
    key = {"Idempotency-Key": "shared-key-1"}
    body = booking(world)
    first = world.api("coordinator").post("/api/v1/cases", json=body, headers=key)
    other = world.api("admin").post("/api/v1/cases", json=body, headers=key)
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert other.json["id"] != first.json["id"]
    again = world.api("admin").post("/api/v1/cases", json=body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == other.json["id"]


def test_a_different_body_under_another_users_key_is_not_a_conflict(world: World) -> None:
    publish_example(world)
    key = {"Idempotency-Key": "shared-key-2"}
    world.api("coordinator").post("/api/v1/cases", json=booking(world), headers=key)
    resp = world.api("admin").post("/api/v1/cases", json=booking(world, title="Mine"),
                                   headers=key)
    assert resp.status_code == 201 and resp.json["title"] == "Mine"


def test_the_same_key_in_another_tenant_is_that_tenants_own(world: World) -> None:
    publish_example(world)
    publish_example(world, tenant="b")
    key = {"Idempotency-Key": "shared-key-3"}
    first = world.api("coordinator").post("/api/v1/cases", json=booking(world), headers=key)
    other = world.api("coordinator", tenant="b").post(
        "/api/v1/cases", json=booking(world, tenant="b"), headers=key)
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert other.json["number"] == first.json["number"]  # each tenant's first case
