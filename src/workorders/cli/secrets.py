"""``workorders secrets``: a tenant's signing secrets, set without HTTP.

The value is read from standard input or a hidden prompt, never from the
command line, where it would stay in shell history and in ``ps`` output.
"""

from __future__ import annotations

import sys

import click

from workorders.cli.support import build_app, friendly_errors


@click.group()
def secrets() -> None:
    """Set, list and delete a tenant's secrets (values are never shown)."""


def _read_value() -> str:
    if sys.stdin.isatty():
        value: str = click.prompt("Secret value", hide_input=True,
                                  confirmation_prompt=True, prompt_suffix=": ")
        return value
    return sys.stdin.read().removesuffix("\n").removesuffix("\r")


@secrets.command("set")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.argument("name")
@friendly_errors
def secrets_set(tenant: str, name: str) -> None:
    """Set or replace NAME, reading the value from stdin (or a hidden prompt)."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.tenant_secrets import set_secret

    value = _read_value()
    with build_app().app_context():
        info, created = set_secret(tenant_by_slug(tenant).id, name, value, _operator())
        users = f"; used by {', '.join(info.used_by)}" if info.used_by else ""
        click.echo(f"{'set' if created else 'replaced'} secret {name} for {tenant}{users}")


@secrets.command("list")
@click.option("--tenant", required=True, help="The tenant's slug.")
@friendly_errors
def secrets_list(tenant: str) -> None:
    """Names, who set them when, and what the published bundle signs with them."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.tenant_secrets import list_secrets

    with build_app().app_context():
        for info in list_secrets(tenant_by_slug(tenant).id):
            when = (f"{info.updated_at:%Y-%m-%d %H:%M} by {info.updated_by}" if info.is_set
                    else "NOT SET")
            click.echo(f"{info.name}\t{when}\t{', '.join(info.used_by) or 'unused'}")


@secrets.command("delete")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.argument("name")
@friendly_errors
def secrets_delete(tenant: str, name: str) -> None:
    """Delete NAME; deliveries that sign with it fail until it is set again."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.tenant_secrets import delete_secret

    with build_app().app_context():
        delete_secret(tenant_by_slug(tenant).id, name, _operator())
        click.echo(f"deleted secret {name} of {tenant}")


def _operator() -> str:
    """Who the audit trail names for a command-line change: the OS account."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
