"""Operator commands: ``workorders audit verify``."""

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
    """Recompute every hash chain; name the first broken event of each subject."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.audit import verify_chains

    with build_app().app_context():
        tenant_id = tenant_by_slug(tenant).id if tenant else None
        checked, breaks = verify_chains(tenant_id)
        for b in breaks:
            click.echo(f"BROKEN {b.subject_type} {b.subject_id} at event #{b.seq} "
                       f"(id {b.event_id}): {b.reason}")
        click.echo(f"{checked} events checked, {len(breaks)} broken chain(s)")
        sys.exit(1 if breaks else 0)
