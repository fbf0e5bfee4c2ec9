"""Operator commands: ``workorders audit verify`` and ``workorders reconcile``."""

from __future__ import annotations

import sys

import click

from workorders.cli.support import build_app, friendly_errors


@click.group()
def audit() -> None:
    """Check the tamper-evident audit trail."""


@audit.command("verify")
@click.option("--tenant", default=None, help="Only this tenant's chains (slug).")
@friendly_errors
def verify(tenant: str | None) -> None:
    """Recompute every keyed hash chain and check each tenant's head; name the first
    broken event of each subject and each tenant whose events are missing."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.audit_verify import verify_chains

    with build_app().app_context():
        tenant_id = tenant_by_slug(tenant).id if tenant else None
        checked, breaks = verify_chains(tenant_id)
        for b in breaks:
            click.echo(f"BROKEN {b.describe()}")
        click.echo(f"{checked} events checked, {len(breaks)} broken chain(s) or head(s)")
        sys.exit(1 if breaks else 0)


@click.command("reconcile")
@click.option("--tenant", default=None, help="Only this tenant (slug); default: every tenant.")
@friendly_errors
def reconcile(tenant: str | None) -> None:
    """Captured billable net vs. delivered invoices minus delivered credit notes, per
    case and connector; exits 1 when any difference is not zero (money lost or
    doubled) or any export is not delivered yet (the ERP has not booked it)."""
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import Tenant
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.reconciliation import reconcile as rows_of

    with build_app().app_context():
        tenants = [tenant_by_slug(tenant)] if tenant else list(
            db.session.execute(select(Tenant).order_by(Tenant.id)).scalars())
        checked = off = 0
        for each in tenants:
            rows, _ = rows_of(each.id)
            for row in rows:
                checked += 1
                off += 0 if row.reconciled else 1
                if row.difference != 0:
                    click.echo(f"DIFFERENCE {each.slug} {row.number} {row.connector}: captured "
                               f"{row.captured_net}, delivered {row.exported_net}, credited "
                               f"{row.credited_net}, difference {row.difference} {row.currency}")
                for export in row.undelivered:
                    click.echo(f"NOT DELIVERED {each.slug} {row.number} {row.connector}: "
                               f"{export.describe(row.currency)}")
        click.echo(f"{checked} case exports checked, {off} not reconciled")
        sys.exit(1 if off else 0)
