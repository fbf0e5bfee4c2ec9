from __future__ import annotations

import pytest
from flask import Flask

from tests.support.world import World, make_tenant


@pytest.fixture
def world(app: Flask) -> World:
    return World(app=app, a=make_tenant(app, "alpha", "Alpha Heat AB"),
                 b=make_tenant(app, "bravo", "Bravo Electric Oy"))
