"""The demo ``make demo`` opens: one workspace per example bundle, a person per
role in each, and the bundle's demo edition published (its connectors write files
and its webhook messages are emailed, so it starts clean on any machine: see
demo_bundles).

Loading is idempotent: running the demo again keeps what exists and prints the
same logins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from workorders.errors import NotFound
from workorders.platform.bootstrap import init_database
from workorders.platform.demo_bundles import demo_edition
from workorders.platform.demo_cases import book_demo_cases
from workorders.platform.extensions import db
from workorders.platform.jobs.dispatch import wait_for_jobs
from workorders.platform.models import Case, Tenant
from workorders.platform.services.accounts import create_tenant, create_user, member_by_email
from workorders.platform.services.definitions import (
    bundle_of,
    create_draft,
    current_version,
    list_versions,
    publish_version,
)
from workorders.platform.services.notifications import replaying_history

DEMO_PASSWORD = "demo-workorders"
#: the example bundles live at the repository root; an installed package looks
#: there relative to the working directory
BUNDLES_DIR = Path(__file__).resolve().parents[3] / "definitions"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    bundle: str
    country: str
    people: tuple[tuple[str, str, str], ...]  # (role, email, name)


DEMO_TENANTS = (
    DemoTenant("nordvarme", "Nordvärme AB", "nordvarme-heatpumps.yaml", "SE", (
        ("admin", "anna@nordvarme.test", "Anna Admin"),
        ("coordinator", "carl@nordvarme.test", "Carl Coordinator"),
        ("technician", "tove@nordvarme.test", "Tove Technician"),
        ("technician", "tim@nordvarme.test", "Tim Technician"),
        ("viewer", "vera@nordvarme.test", "Vera Viewer"),
    )),
    DemoTenant("voltfix", "VoltFix Elektro AS", "voltfix-electric.yaml", "NO", (
        ("admin", "admin@voltfix.test", "Vilde Admin"),
        ("coordinator", "coordinator@voltfix.test", "Ola Coordinator"),
        ("technician", "tech@voltfix.test", "Eirik Electrician"),
    )),
    DemoTenant("bytewise", "ByteWise ApS", "bytewise-it.yaml", "DK", (
        ("admin", "admin@bytewise.test", "Freja Admin"),
        ("coordinator", "coordinator@bytewise.test", "Mads Coordinator"),
        ("technician", "consultant@bytewise.test", "Sofie Consultant"),
    )),
)


def bundles_dir() -> Path:
    return BUNDLES_DIR if BUNDLES_DIR.is_dir() else Path.cwd() / "definitions"


def _load_tenant(demo: DemoTenant) -> None:
    tenant = db.session.execute(
        select(Tenant).where(Tenant.slug == demo.slug)).scalar_one_or_none()
    if tenant is None:
        tenant = create_tenant(demo.slug, demo.name)
    for role, email, person in demo.people:
        try:
            member_by_email(tenant.id, email)
        except NotFound:
            create_user(demo.slug, email, [role], password=DEMO_PASSWORD, name=person)
    source = demo_edition((bundles_dir() / demo.bundle).read_bytes(), demo.bundle)
    if not list_versions(tenant.id):
        draft = create_draft(tenant.id, source, demo.people[0][1], filename=demo.bundle)
        publish_version(tenant.id, draft.number, demo.people[0][1])
    has_cases = db.session.execute(select(Case.id).where(Case.tenant_id == tenant.id)
                                   .limit(1)).first()
    version = current_version(tenant.id)
    if not has_cases and version is not None:
        people = {role: email for role, email, _ in reversed(demo.people)}
        with replaying_history():  # sample history: nobody is told about it now
            book_demo_cases(tenant.id, bundle_of(version), people["coordinator"],
                            people["technician"], demo.country)


def load_demo(app: Flask) -> list[dict[str, str]]:
    init_database(app)
    with app.app_context():
        for demo in DEMO_TENANTS:
            _load_tenant(demo)
    wait_for_jobs(app)
    return [{"role": role, "email": email, "password": DEMO_PASSWORD, "tenant": demo.slug}
            for demo in DEMO_TENANTS for role, email, _ in demo.people]
