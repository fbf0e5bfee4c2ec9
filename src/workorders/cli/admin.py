"""``workorders tenants|users|tokens``: bootstrap without HTTP (API contract)."""

from __future__ import annotations

import click

from workorders.cli.support import build_app, friendly_errors


@click.group()
def tenants() -> None:
    """Create and list tenants (client businesses)."""


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The business's display name.")
@friendly_errors
def tenants_create(slug: str, name: str) -> None:
    from workorders.platform.services.accounts import create_tenant

    with build_app().app_context():
        tenant = create_tenant(slug, name)
        click.echo(f"created tenant {tenant.slug} ({tenant.name})")


@tenants.command("list")
def tenants_list() -> None:
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import Tenant

    with build_app().app_context():
        for tenant in db.session.execute(select(Tenant).order_by(Tenant.slug)).scalars():
            click.echo(f"{tenant.slug}\t{tenant.name}")


@click.group()
def users() -> None:
    """Create and list users of a tenant."""


@users.command("create")
@click.argument("tenant")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              help="admin, coordinator, technician or viewer; repeat for several.")
@click.option("--password", default=None,
              help="Sets (or resets) the login's password and signs it out everywhere. Omit it "
                   "and a new login gets a link to choose its own in the welcome email.")
@click.option("--name", default="", help="The person's name, as this tenant shows it.")
@friendly_errors
def users_create(tenant: str, email: str, roles: tuple[str, ...], password: str | None,
                 name: str) -> None:
    from workorders.platform.jobs.dispatch import wait_for_jobs
    from workorders.platform.services.accounts import create_user

    app = build_app()
    with app.app_context():
        membership = create_user(tenant, email, roles, password=password, name=name)
        click.echo(f"created {membership.user.email} in {tenant} as {', '.join(membership.roles)}")
    wait_for_jobs(app)


@users.command("list")
@click.argument("tenant")
@friendly_errors
def users_list(tenant: str) -> None:
    from workorders.platform.services.accounts import list_members, tenant_by_slug

    with build_app().app_context():
        for m in list_members(tenant_by_slug(tenant).id):
            click.echo(f"{m.user.email}\t{','.join(m.roles)}\t{m.name}")


@click.group()
def tokens() -> None:
    """Create, list and revoke API tokens."""


@tokens.command("create")
@click.argument("tenant")
@click.argument("email")
@click.option("--label", default="",
              help="What the token is for (default: 'made on the command line').")
@friendly_errors
def tokens_create(tenant: str, email: str, label: str) -> None:
    """Print a new token once; it cannot be shown again (audited as the operator)."""
    from workorders.platform.services.accounts import create_token

    with build_app().app_context():
        _token, plain = create_token(tenant, email, label)
        click.echo(plain)


@tokens.command("list")
@click.argument("tenant")
@friendly_errors
def tokens_list(tenant: str) -> None:
    from workorders.platform.services.accounts import list_tokens

    with build_app().app_context():
        for t in list_tokens(tenant):
            state = "revoked" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{t.prefix}…\t{t.user.email}\t{state}\t{t.label}")


@tokens.command("revoke")
@click.argument("tenant")
@click.argument("token")
@friendly_errors
def tokens_revoke(tenant: str, token: str) -> None:
    """Revoke a token by its id or its first characters."""
    from workorders.platform.services.accounts import revoke_token

    with build_app().app_context():
        revoked = revoke_token(tenant, token)
        click.echo(f"revoked token {revoked.id} ({revoked.prefix}…)")
