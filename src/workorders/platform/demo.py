"""The demo workspace ``make demo`` opens: a tenant and one person per role.

Loading is idempotent: running the demo again keeps what exists and prints the
same logins.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from workorders.errors import NotFound
from workorders.platform.bootstrap import init_database
from workorders.platform.extensions import db
from workorders.platform.jobs.dispatch import wait_for_jobs
from workorders.platform.models import Tenant
from workorders.platform.services.accounts import create_tenant, create_user, member_by_email

DEMO_TENANT = ("nordvarme", "Nordvärme AB")
DEMO_PASSWORD = "demo-workorders"
DEMO_PEOPLE = (
    ("admin", "anna@nordvarme.test", "Anna Admin"),
    ("coordinator", "carl@nordvarme.test", "Carl Coordinator"),
    ("technician", "tove@nordvarme.test", "Tove Technician"),
    ("technician", "tim@nordvarme.test", "Tim Technician"),
    ("viewer", "vera@nordvarme.test", "Vera Viewer"),
)


def load_demo(app: Flask) -> list[dict[str, str]]:
    init_database(app)
    slug, name = DEMO_TENANT
    with app.app_context():
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
        if tenant is None:
            tenant = create_tenant(slug, name)
        for role, email, person in DEMO_PEOPLE:
            try:
                member_by_email(tenant.id, email)
            except NotFound:
                create_user(slug, email, [role], password=DEMO_PASSWORD, name=person)
    wait_for_jobs(app)
    return [{"role": role, "email": email, "password": DEMO_PASSWORD}
            for role, email, _ in DEMO_PEOPLE]
