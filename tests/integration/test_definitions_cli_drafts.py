"""``workorders definitions new-draft|retire|publish --comment`` as an admin runs
them: the same services (and refusals) as the API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.integration.test_cli import env  # noqa: F401  (fixture)
from tests.support.processes import run_workorders
from tests.support.state import snapshot

ROOT = Path(__file__).resolve().parents[2]
NORDVARME = ROOT / "definitions" / "nordvarme-heatpumps.yaml"


def _versions(app: Flask) -> list[tuple[int, str, str, str | None]]:
    from workorders.platform.services.accounts import tenant_by_slug
    from workorders.platform.services.definitions import list_versions

    with app.app_context():
        return [(v.number, v.status, v.based_on, v.publish_comment)
                for v in list_versions(tenant_by_slug("acme").id)]


def test_new_draft_publish_with_comment_and_retire(app: Flask,
                                                   env: dict[str, str]) -> None:  # noqa: F811
    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    published = run_workorders(["definitions", "publish", "--tenant", "acme", "--comment",
                                "first season", str(NORDVARME)], env)
    assert published.returncode == 0, published.stderr
    copy = run_workorders(["definitions", "new-draft", "--tenant", "acme", "--from", "1"], env)
    assert copy.returncode == 0, copy.stderr
    assert copy.stdout == "draft version 2 of acme, based on version 1\n"
    example = run_workorders(["definitions", "new-draft", "--tenant", "acme", "--example",
                              "bytewise-it"], env)
    assert example.stdout == ("draft version 3 of acme, based on example bytewise-it.yaml\n")
    again = run_workorders(["definitions", "publish", "--tenant", "acme", "--version", "2",
                            "--comment", "same again"], env)
    assert again.returncode == 0 and again.stdout.startswith("published version 2 of acme")
    retired = run_workorders(["definitions", "retire", "--tenant", "acme", "3"], env)
    assert retired.returncode == 0 and retired.stdout == "retired version 3 of acme\n"
    assert _versions(app) == [(1, "retired", "", "first season"),
                              (2, "published", "version 1", "same again"),
                              (3, "retired", "example bytewise-it.yaml", None)]


def test_refusals_are_one_clear_line_and_change_nothing(app: Flask,
                                                        env: dict[str, str]) -> None:  # noqa: F811
    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    run_workorders(["definitions", "publish", "--tenant", "acme", str(NORDVARME)], env)
    before = snapshot(app)
    published = run_workorders(["definitions", "retire", "--tenant", "acme", "1"], env)
    assert published.returncode == 1
    assert published.stderr.startswith("error: version 1 is the published version")
    unknown = run_workorders(["definitions", "new-draft", "--tenant", "acme", "--example",
                              "nope"], env)
    assert unknown.returncode == 2 and "the examples are: bytewise-it" in unknown.stderr
    missing = run_workorders(["definitions", "new-draft", "--tenant", "acme", "--from", "9"], env)
    assert missing.returncode == 1 and "definition version 9 not found" in missing.stderr
    both = run_workorders(["definitions", "new-draft", "--tenant", "acme", "--from", "1",
                           "--example", "bytewise-it"], env)
    assert both.returncode == 2 and "either --from N or --example NAME" in both.stderr
    neither = run_workorders(["definitions", "publish", "--tenant", "acme"], env)
    assert neither.returncode == 2 and "either a FILE or --version N" in neither.stderr
    assert snapshot(app) == before
