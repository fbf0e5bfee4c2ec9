"""``core_insert.insert_now``: one INSERT, and an object that behaves as if loaded.

Bookings insert their case this way (issue 17), so the object must be what a flush
would have left: its id and defaults read back, its many-to-one objects kept without
a query, later changes flushed as an UPDATE, and the row really written."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from tests.support.web import statements
from tests.support.world import World


def test_one_insert_and_the_object_is_persistent_with_what_the_database_filled(
        world: World) -> None:
    from workorders.platform.core_insert import insert_now
    from workorders.platform.extensions import db
    from workorders.platform.models import Membership, Tenant, User

    with world.app.app_context():
        session = db.session()
        tenant = session.get(Tenant, world.a.tenant_id)
        user = User(email="core.insert@example.test", password_hash="x", active=True)
        with statements(world.app) as seen:
            insert_now(session, user)
        assert len(seen) == 1 and seen[0].lstrip().upper().startswith("INSERT")
        assert isinstance(user.id, int) and user.created_at is not None  # read back
        state = inspect(user)
        assert state.persistent and not session.dirty and user in session

        member = Membership(tenant_id=tenant.id, user_id=user.id, roles=["technician"],
                            name="Core Insert")
        member.tenant, member.user = tenant, user
        with statements(world.app) as seen:
            insert_now(session, member)
            assert member.user is user and member.tenant.slug == tenant.slug  # no query
        assert len(seen) == 1

        user.active = False  # a later change is tracked like any loaded object's
        with statements(world.app) as seen:
            session.flush()
        assert [s.lstrip().split()[0].upper() for s in seen] == ["UPDATE"]
        session.commit()

    with world.app.app_context():  # and the rows are there for the next request
        row = db.session.execute(select(User.email, User.active).where(
            User.email == "core.insert@example.test")).one()
        assert tuple(row) == ("core.insert@example.test", False)
        assert db.session.execute(select(Membership.name).where(
            Membership.user_id == select(User.id).where(
                User.email == "core.insert@example.test").scalar_subquery())).scalar_one() \
            == "Core Insert"


def test_an_object_a_session_already_holds_is_refused(world: World) -> None:
    from workorders.platform.core_insert import insert_now
    from workorders.platform.extensions import db
    from workorders.platform.models import User

    with world.app.app_context():
        session = db.session()
        pending = User(email="pending@example.test", password_hash="x", active=True)
        session.add(pending)
        with pytest.raises(ValueError, match="new object"):
            insert_now(session, pending)
        session.rollback()
