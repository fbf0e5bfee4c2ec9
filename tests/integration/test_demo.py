"""The demo loader: workspaces, published bundles and cases in every reachable state."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from workorders.platform.demo import DEMO_TENANTS, load_demo
from workorders.platform.demo_cases import reachable_paths


def test_demo_books_cases_in_every_reachable_state_and_is_idempotent(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Case, Tenant
    from workorders.platform.services.definitions import bundle_of, current_version

    logins = load_demo(app)
    assert {login["tenant"] for login in logins} == {d.slug for d in DEMO_TENANTS}
    with app.app_context():
        for demo in DEMO_TENANTS:
            tenant = db.session.execute(select(Tenant).where(Tenant.slug == demo.slug)).scalar_one()
            version = current_version(tenant.id)
            assert version is not None
            for case_type in bundle_of(version).case_types:
                states = set(db.session.execute(select(Case.status).where(
                    Case.tenant_id == tenant.id, Case.case_type == case_type.id)).scalars())
                assert states == set(reachable_paths(case_type)), (demo.slug, case_type.id)
        count = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
    assert load_demo(app) == logins
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == count
