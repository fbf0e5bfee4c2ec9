"""``workorders definitions validate|publish|diff`` as an admin runs them."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from tests.integration.test_cli import env  # noqa: F401  (fixture)
from tests.support.processes import run_workorders

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "definitions").glob("*.yaml"))


def test_validate_accepts_the_examples(env: dict[str, str]) -> None:  # noqa: F811
    result = run_workorders(["definitions", "validate", *map(str, EXAMPLES)], env)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": valid, 0 warning(s)") == 3


def test_validate_prints_file_line_col_and_exits_1(env: dict[str, str],  # noqa: F811
                                                   tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLES[0].read_text().replace("currency: ", "currency: X", 1))
    result = run_workorders(["definitions", "validate", str(broken)], env)
    assert result.returncode == 1
    line = next(ln for ln in result.stdout.splitlines() if "[/currency]" in ln)
    assert line.startswith(f"{broken}:")
    as_json = run_workorders(["definitions", "validate", "--json", str(broken)], env)
    report = json.loads(as_json.stdout)[str(broken)]
    assert report["valid"] is False and report["errors"][0]["path"] == "/currency"


def test_publish_and_diff(app: Flask, env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    from workorders.platform.services.definitions import current_version

    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    result = run_workorders(["definitions", "publish", "--tenant", "acme", "--author",
                             "ops@acme.test", str(EXAMPLES[0])], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("published version 1 of acme")
    with app.app_context():
        from workorders.platform.services.accounts import tenant_by_slug

        current = current_version(tenant_by_slug("acme").id)
        assert current is not None and current.number == 1 and current.author == "ops@acme.test"
        assert current.source_text == EXAMPLES[0].read_text()
    changed = tmp_path / "changed.yaml"
    changed.write_text(EXAMPLES[0].read_text().replace("currency: ", "currency: ", 1)
                       .replace("name: ", "name: Renamed ", 1))
    diff = run_workorders(["definitions", "diff", str(EXAMPLES[0]), str(changed)], env)
    assert diff.returncode == 0 and diff.stdout.startswith("~ top_level/name:")


def test_publishing_a_broken_file_stores_nothing(app: Flask, env: dict[str, str],  # noqa: F811
                                                 tmp_path: Path) -> None:
    from tests.support.state import snapshot

    run_workorders(["tenants", "create", "acme", "--name", "Acme"], env)
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: workorders/v1\n")
    before = snapshot(app)
    result = run_workorders(["definitions", "publish", "--tenant", "acme", str(broken)], env)
    assert result.returncode == 1 and "error(s); nothing was stored" in result.stderr
    assert snapshot(app) == before


def test_preview_notification_renders_each_language_and_counts_sms(
        env: dict[str, str]) -> None:  # noqa: F811
    bundle = str(ROOT / "definitions" / "nordvarme-heatpumps.yaml")
    sms = run_workorders(["definitions", "preview-notification", bundle,
                          "technician_on_my_way"], env)
    assert sms.returncode == 0, sms.stderr
    assert "Hej Lena Berg! Åsa Lind från Nordvärme har åkt" in sms.stdout
    assert "GSM-7: 1 SMS" in sms.stdout
    built_in = run_workorders(["definitions", "preview-notification", bundle, "job_waiting",
                               "--locale", "sv-SE", "--case-type", "service"], env)
    assert built_in.returncode == 0, built_in.stderr
    assert "--- sv ---" in built_in.stdout and "SERV-2026-00042: ett jobb till dig" \
        in built_in.stdout and "the job" not in built_in.stdout
    unknown = run_workorders(["definitions", "preview-notification", bundle, "nope"], env)
    assert unknown.returncode == 2 and "There is no notification template 'nope'" \
        in unknown.stderr and "job_waiting" in unknown.stderr
    no_type = run_workorders(["definitions", "preview-notification", bundle, "job_waiting",
                              "--case-type", "boat"], env)
    assert no_type.returncode == 2 and "There is no case type 'boat'" in no_type.stderr


def test_preview_notification_for_a_language_the_template_lacks_says_so(
        env: dict[str, str]) -> None:  # noqa: F811
    bundle = str(ROOT / "definitions" / "nordvarme-heatpumps.yaml")
    finnish = run_workorders(["definitions", "preview-notification", bundle, "job_waiting",
                              "--locale", "fi"], env)
    assert finnish.returncode == 0, finnish.stderr
    assert "('job_waiting' has no text in fi: a reader of fi gets the template’s own " \
        "text.)" in finnish.stdout
    assert "--- the template’s own text ---" in finnish.stdout \
        and "--- sv ---" not in finnish.stdout


def test_preview_notification_refuses_an_invalid_bundle_and_names_a_broken_language(
        env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(source.replace("currency: ", "currency: X", 1))
    refused = run_workorders(["definitions", "preview-notification", str(broken),
                              "job_waiting"], env)
    assert refused.returncode == 2 and f"{broken} is not a valid bundle" in refused.stderr
    assert "workorders definitions validate" in refused.stderr
    # a Swedish text that validates but fails on the made-up case (it has no site name):
    # the template's own text still renders, the Swedish one is named with its reason
    lines = source.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(
        '      body: "Hej {{ case.customer.name }}! {{ case.assignee.name }} från'))
    lines[at:at + 1] = [
        '      body: "Hi {{ case.customer.name }}, your technician is on the way."\n',
        "      locales:\n",
        "        sv: {body: \"Hej {{ 10 // ((case.site.name or '')|length) }}\"}\n"]
    failing = tmp_path / "failing.yaml"
    failing.write_text("".join(lines))
    assert run_workorders(["definitions", "validate", str(failing)], env).returncode == 0
    result = run_workorders(["definitions", "preview-notification", str(failing),
                             "technician_on_my_way"], env)
    assert result.returncode == 1
    assert "Hi Lena Berg, your technician is on the way." in result.stdout
    assert "--- sv ---\nThis text could not be rendered: " in result.stdout
    assert "The text in sv failed: " in result.stderr
