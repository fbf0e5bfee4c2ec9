"""The demo loader: workspaces, published bundles and cases across their lifecycles."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from workorders.definitions.model import CaseType
from workorders.platform.demo import DEMO_TENANTS, load_demo


def states_without_readiness(case_type: CaseType) -> set[str]:
    """States reachable without a transition that needs invoice readiness (which
    a tenant's rules may rightly withhold from generated reports)."""
    lifecycle = case_type.lifecycle
    seen, frontier = {lifecycle.initial}, [lifecycle.initial]
    while frontier:
        for t in lifecycle.transitions_from(frontier.pop()):
            movable = {"coordinator", "technician"} & set(t.roles)
            if movable and not t.requires_invoice_ready and t.to not in seen:
                seen.add(t.to)
                frontier.append(t.to)
    return seen


def test_demo_books_cases_across_every_lifecycle_and_is_idempotent(app: Flask) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import Case, Submission, Tenant
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
                assert states >= states_without_readiness(case_type), (demo.slug, case_type.id)
                if demo.slug == "nordvarme":  # its reports satisfy every rule: every state
                    assert states == {s.id for s in case_type.lifecycle.states}
        assert db.session.execute(select(func.count()).select_from(Submission)).scalar_one() > 0
        count = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
    assert load_demo(app) == logins
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == count


def test_the_demo_starts_clean_and_never_leaves_the_machine(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newcomer's first screen: every job done, every export delivered, no host
    outside this machine looked up (the examples name ERPs that do not exist)."""
    import socket

    from workorders.platform.extensions import db
    from workorders.platform.models import Export, OutboxJob, Tenant

    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("localhost", "127.0.0.1", "::1"):
            looked_up.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    logins = load_demo(app)
    assert looked_up == []
    with app.app_context():
        jobs = db.session.execute(select(OutboxJob.kind, OutboxJob.status, OutboxJob.last_error)
                                  .where(OutboxJob.status != "done")).all()
        exports = db.session.execute(select(Tenant.slug, Export.connector_id, Export.status)
                                     .join(Tenant, Tenant.id == Export.tenant_id)).all()
        from workorders.platform.services.reconciliation import reconcile

        tenants = db.session.execute(select(Tenant.slug, Tenant.id)).all()
        unreconciled = {slug: [r.to_dict() for r in reconcile(tenant_id)[0]
                               if not r.reconciled] for slug, tenant_id in tenants}
    assert jobs == []
    assert {slug for slug, _c, _s in exports} == {"nordvarme", "bytewise", "voltfix"}
    assert {status for _t, _c, status in exports} == {"delivered"}
    assert unreconciled == {"nordvarme": [], "bytewise": [], "voltfix": []}
    for admin in (login for login in logins if login["role"] == "admin"):
        client = app.test_client()
        client.post("/login", data={"email": admin["email"], "password": admin["password"]})
        home = " ".join(client.get("/").get_data(as_text=True).split())
        assert '<p class="tile-figure">0</p> <p class="muted">waiting or retrying · ' in home, \
            admin["tenant"]
        assert '>0 failed or gave up</a>' in home, admin["tenant"]
