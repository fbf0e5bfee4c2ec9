from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.support.cases import publish_example
from tests.support.services import REDIS_TEST_URL, missing, redis_problem
from tests.support.world import World
from tests.support.world_snapshot import usual_world


@pytest.fixture
def world(app: Flask, app_config: dict[str, Any]) -> World:
    """Two tenants with a person and a token per role (see ``world_snapshot``)."""
    return usual_world(app, app_config)


@pytest.fixture
def world_with_bundle(world: World) -> World:
    """The usual world with the example bundle published in both tenants, the
    start of every page test that books cases."""
    publish_example(world)
    publish_example(world, tenant="b")
    return world


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis (database 15), emptied before and after the test."""
    problem = redis_problem()
    if problem:
        missing("Redis", problem)
    from redis import Redis

    conn = Redis.from_url(REDIS_TEST_URL)
    conn.flushdb()
    yield REDIS_TEST_URL
    conn.flushdb()
