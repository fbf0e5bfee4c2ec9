from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.services import REDIS_TEST_URL, missing, redis_problem
from tests.support.world import World, make_tenant


@pytest.fixture
def world(app: Flask) -> World:
    return World(app=app, a=make_tenant(app, "alpha", "Alpha Heat AB"),
                 b=make_tenant(app, "bravo", "Bravo Electric Oy"))


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
