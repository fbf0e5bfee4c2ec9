"""``workorders definitions validate|publish|new-draft|retire|diff|simulate``: the
API's checks and version steps, for files and scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from workorders.cli.support import acting_admin, build_app, friendly_errors
from workorders.definitions import Bundle, diff_bundles, has_changes, load_bundle


@click.group()
def definitions() -> None:
    """Check, publish and compare definition bundles."""


def _golden(bundle: Bundle | None, engine: str) -> list[dict[str, Any]]:
    if bundle is None:
        return []
    from workorders.golden import run_golden_tests

    return [{"name": r.name, "passed": r.passed, "failures": list(r.failures)}
            for r in run_golden_tests(bundle, engine=engine)]  # type: ignore[arg-type]


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


@definitions.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--engine", type=click.Choice(["durable", "python"]), default="durable",
              show_default=True, help="The rules engine that runs the golden tests.")
def validate(files: tuple[str, ...], as_json: bool, engine: str) -> None:
    """Check bundles and run their golden tests; print file:line:col: message;
    exit 1 when any has errors or a failing test."""
    reports = {}
    failed = False
    for name in files:
        result = load_bundle(_read(name), filename=name)
        tests = _golden(result.bundle, engine)
        failed = failed or not result.valid or not all(t["passed"] for t in tests)
        reports[name] = {**result.to_dict(), "tests": tests}
        if as_json:
            continue
        for t in tests:
            mark = "passed" if t["passed"] else "FAILED: " + "; ".join(t["failures"])
            click.echo(f"{name}: test '{t['name']}' {mark}")
        for level, problems in (("error", result.errors), ("warning", result.warnings)):
            for p in problems:
                where = f"{name}:{p.line or 0}:{p.column or 0}"
                hint = f" (hint: {p.hint})" if p.hint else ""
                click.echo(f"{where}: {level}: {p.message} [{p.path or '/'}]{hint}")
        status = "valid" if result.valid else f"{len(result.errors)} error(s)"
        click.echo(f"{name}: {status}, {len(result.warnings)} warning(s)")
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    sys.exit(1 if failed else 0)


@definitions.command("publish")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.option("--author", default="cli", show_default=True, help="Recorded as author.")
@click.option("--comment", default=None, help="Why this version is published (kept with it "
                                              "and in the audit trail).")
@click.option("--version", "number", type=int, default=None,
              help="Publish this stored draft instead of a FILE.")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@friendly_errors
def publish(tenant: str, author: str, comment: str | None, number: int | None,
            file: str | None) -> None:
    """Store FILE as a draft and publish it, or publish draft --version N."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.definitions import create_draft, publish_version

    if (file is None) == (number is None):
        raise click.UsageError("name either a FILE or --version N")
    with build_app().app_context():
        tenant_id = tenant_by_slug(tenant).id
        if file is not None:
            number = create_draft(tenant_id, _read(file), author, filename=file).number
        assert number is not None
        version = publish_version(tenant_id, number, author, comment=comment)
        click.echo(f"published version {version.number} of {tenant} ({version.content_hash[:12]})")


@definitions.command("new-draft")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.option("--author", default="cli", show_default=True, help="Recorded as author.")
@click.option("--from", "from_version", type=int, default=None,
              help="Copy this version's text.")
@click.option("--example", default=None,
              help="Copy an example bundle (e.g. nordvarme-heatpumps), as its demo edition.")
@friendly_errors
def new_draft(tenant: str, author: str, from_version: int | None, example: str | None) -> None:
    """Start a draft from a version (--from N) or an example bundle (--example NAME)."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.definition_drafts import example_bundles, start_draft

    if (from_version is None) == (example is None):
        raise click.UsageError("name either --from N or --example NAME")
    with build_app().app_context():
        tenant_id = tenant_by_slug(tenant).id
        if example is not None and example not in {e.name for e in example_bundles()}:
            names = ", ".join(e.name for e in example_bundles())
            raise click.UsageError(f"there is no example bundle named '{example}'; "
                                   f"the examples are: {names}")
        draft = start_draft(tenant_id, author, from_version=from_version, from_example=example)
        unsaved = " (its text does not validate yet: fix it before publishing)" \
            if draft.has_unsaved_errors else ""
        click.echo(f"draft version {draft.number} of {tenant}, based on {draft.based_on}"
                   f"{unsaved}")


@definitions.command("retire")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.option("--author", default="cli", show_default=True, help="Recorded in the audit trail.")
@click.argument("version", type=int)
@friendly_errors
def retire(tenant: str, author: str, version: int) -> None:
    """Retire VERSION: a draft (or older version) no case uses; never the published one."""
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.definition_drafts import retire_version

    with build_app().app_context():
        retired = retire_version(tenant_by_slug(tenant).id, version, author)
        click.echo(f"retired version {retired.number} of {tenant}")


@definitions.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
def diff(old: str, new: str) -> None:
    """Compare two bundle files section by section (exit 1 if either is invalid)."""
    results = [load_bundle(_read(p), filename=p) for p in (old, new)]
    for path, result in zip((old, new), results, strict=True):
        if result.normalized is None or not result.valid:
            click.echo(f"{path} is not a valid bundle; run 'workorders definitions validate'",
                       err=True)
            sys.exit(1)
    changes = diff_bundles(results[0].normalized or {}, results[1].normalized or {})
    if not has_changes(changes):
        click.echo("no differences")
        return
    for section, change in changes.items():
        for ident in change["added"]:
            click.echo(f"+ {section}/{ident}")
        for ident in change["removed"]:
            click.echo(f"- {section}/{ident}")
        for item in change["changed"]:
            for field in item["fields"]:
                click.echo(f"~ {section}/{item['id']}{field['path']}: "
                           f"{json.dumps(field['before'], ensure_ascii=False)} -> "
                           f"{json.dumps(field['after'], ensure_ascii=False)}")


@definitions.command("simulate")
@click.option("--tenant", required=True, help="The tenant's slug.")
@click.option("--limit", default=200, show_default=True, help="How many recent cases.")
@click.option("--as", "as_email", default=None, help="Run as this member (default: an admin).")
@click.argument("version", type=int)
@friendly_errors
def simulate(tenant: str, limit: int, as_email: str | None, version: int) -> None:
    """Replay recent cases under VERSION and list those whose outcomes change
    (as an admin: the same role rule as the API)."""
    from workorders.platform.permissions import Action
    from workorders.platform.services.simulation import simulate_version

    with build_app().app_context():
        actor = acting_admin(tenant, as_email, Action.CHECK_DEFINITIONS, "simulate")
        result = simulate_version(
            actor, version, limit=limit,
            progress=lambda n, total: click.echo(f"\rchecked {n}/{total} cases", nl=n == total,
                                                 err=True))
        for change in result["changed"]:
            click.echo(f"{change['number']}: {json.dumps(change['before'], ensure_ascii=False)}"
                       f" -> {json.dumps(change['after'], ensure_ascii=False)}")
        click.echo(f"{result['cases_checked']} cases checked, {len(result['changed'])} would "
                   "change")


@definitions.command("preview-notification")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("template_id")
@click.option("--case-type", "case_type_id", help="Render over a made-up case of this case "
              "type (default: the first that sends the template and where it renders).")
@click.option("--locale", help="Show only the text a reader of this language gets "
              "(e.g. sv-SE); default: every language the template has.")
def preview_notification(file: str, template_id: str, case_type_id: str | None,
                         locale: str | None) -> None:
    """Render a notification template (the bundle's, or a built-in one) in each of its
    languages over a made-up case; for text messages, how many SMS it takes. Exit 2
    when the bundle is invalid, or there is no such template or case type."""
    from workorders.rules.notice_preview import PreviewRefused, preview_notification

    result = load_bundle(_read(file), filename=file)
    bundle = result.bundle
    if bundle is None:
        raise click.UsageError(f"{file} is not a valid bundle ({len(result.errors)} "
                               "error(s)); run `workorders definitions validate` to see them")
    try:
        preview = preview_notification(bundle, template_id, case_type_id=case_type_id,
                                       locale=locale)
    except PreviewRefused as exc:
        raise click.UsageError(str(exc)) from None
    template = preview.template
    if preview.note:
        click.echo(f"({preview.note})")
    click.echo(f"{template_id}: {template.channel}, {template.kind} message, over a made-up "
               f"{preview.case_type_name} case")
    for text in preview.texts:
        click.echo(f"\n--- {text.language or 'the template’s own text'} ---")
        if text.problem:
            click.echo(f"This text could not be rendered: {text.problem}")
            continue
        if text.subject:
            click.echo(f"Subject: {text.subject}")
        click.echo(text.body.rstrip())
        if text.sms:
            click.echo(f"({text.sms.characters} characters, {text.sms.encoding}: "
                       f"{text.sms.segments} SMS)")
    if preview.problems:
        problems = "; ".join(preview.problems)
        click.echo(f"{problems[:1].upper()}{problems[1:]}.", err=True)
        sys.exit(1)
