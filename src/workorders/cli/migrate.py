"""``workorders definitions migrate``: move open cases to the published version.

The same service as ``POST /api/v1/definitions/{n}/migrate`` (the same checks,
the same report), run in this process: ``--dry-run`` prints the report and
writes nothing; without it the migratable cases move, one transaction each.
The exit status is 1 when any selected case cannot move, so a script notices.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from workorders.cli.support import acting_admin, build_app, friendly_errors
from workorders.errors import ValidationFailed


def _pairs(values: tuple[str, ...], option: str, *, allow_empty: bool) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not (new.strip() or allow_empty):
            raise ValidationFailed(f"{option} takes old=new", [{
                "path": option, "message": f"'{value}' is not old=new"}])
        out[old.strip()] = new.strip() or None
    return out


def _row(case: dict[str, Any]) -> list[str]:
    outcome = case.get("outcome") or ("migratable" if case["migratable"] else
                                      "NOT migratable")
    why = list(case["problems"]) or ([case["reason"]] if case.get("reason") else [])
    return [case["number"], f"v{case['from_version']}", case["from_state"],
            case["to_state"] or "-", outcome, why[0] if why else "", *why[1:]]


def print_report(report: dict[str, Any]) -> None:
    """The report as a table: one case a line, further problems beneath it."""
    header = ["case", "from", "state", "to state", "result"]
    rows = [_row(c) for c in report["cases"]]
    widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(5)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  why")
    for row in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row[:5], widths, strict=True))
                   + "  " + row[5])
        for more in row[6:]:
            click.echo(" " * (sum(widths) + 10) + more)
    totals = report["totals"]
    line = (f"{totals['cases']} open case(s) to move to version {report['to_version']}: "
            f"{totals['migratable']} migratable, {totals['not_migratable']} not")
    if "migrated" in totals:
        line += f"; {totals['migrated']} migrated, {totals['skipped']} skipped"
    click.echo(line)


@click.command("migrate")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.option("--to", "to_version", required=True, type=int,
              help="The version to move to (the published one).")
@click.option("--map", "state_map", multiple=True, metavar="OLD=NEW",
              help="Send cases in state OLD to state NEW (repeatable).")
@click.option("--field", "field_map", multiple=True, metavar="OLD=NEW",
              help="Rename a case field (OLD= drops its value; repeatable).")
@click.option("--from-version", "from_versions", multiple=True, type=int,
              help="Only cases on this version (repeatable).")
@click.option("--case-type", "case_types", multiple=True,
              help="Only cases of this type (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the report; change nothing.")
@click.option("--comment", default="", help="Why the cases move (required unless --dry-run).")
@click.option("--as", "as_email", default=None, help="Act as this member (default: an admin).")
@friendly_errors
def migrate(tenant: str, to_version: int, state_map: tuple[str, ...],
            field_map: tuple[str, ...], from_versions: tuple[int, ...],
            case_types: tuple[str, ...], dry_run: bool, comment: str,
            as_email: str | None) -> None:
    """Move a tenant's open cases to version --to, or (--dry-run) say what would move."""
    from workorders.platform.permissions import Action
    from workorders.platform.services.case_migration import dry_run as plan
    from workorders.platform.services.case_migration_apply import apply_migration

    body: dict[str, Any] = {"state_map": _pairs(state_map, "--map", allow_empty=False),
                            "field_map": _pairs(field_map, "--field", allow_empty=True),
                            "dry_run": dry_run, "comment": comment}
    if from_versions:
        body["from_versions"] = list(from_versions)
    if case_types:
        body["case_types"] = list(case_types)
    with build_app().app_context():
        actor = acting_admin(tenant, as_email, Action.CHECK_DEFINITIONS, "migrate cases")
        tenant_id = actor.tenant_id
        if dry_run:
            report = plan(tenant_id, to_version, body)
        else:
            report = apply_migration(
                tenant_id, to_version, body, actor.email,
                progress=lambda n, total: click.echo(f"\rmoved {n}/{total} cases",
                                                     nl=n == total, err=True))
    print_report(report)
    sys.exit(1 if report["totals"]["not_migratable"] else 0)
