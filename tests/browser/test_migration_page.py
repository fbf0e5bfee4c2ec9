"""Moving open cases in Chromium against ``workorders demo`` (issue 14): a new version
that renames the state "Scheduled" to "Planned" is published through the API; the
admin opens "Move open cases here…", sees "Scheduled" waiting for a choice, maps it
to "Planned" with the select, reads the dry run, moves the cases and follows the
result to a moved case, whose page shows the new state."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

from tests.browser.conftest import DemoServer
from tests.browser.helpers import demo_token, new_context, sign_in_as, watch_dialogs

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))


def _call(server: DemoServer, token: str, method: str, path: str, data: bytes | None = None,
          content_type: str = "application/json") -> tuple[int, Any]:
    req = Request(server.url + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": content_type})
    with urlopen(req, timeout=60) as resp:
        body = resp.read()
        is_json = resp.headers.get_content_type() == "application/json"
        return resp.status, json.loads(body) if is_json else body.decode()


def _publish_planned(server: DemoServer, token: str) -> int:
    """The published text with the state 'scheduled' renamed 'planned', published."""
    _, listing = _call(server, token, "GET", "/api/v1/definitions")
    items = listing["items"] if isinstance(listing, dict) else listing
    published = next(v for v in items if v["status"] == "published")
    _, text = _call(server, token, "GET", f"/api/v1/definitions/{published['version']}/source")
    renamed = re.sub(r"\bscheduled\b", "planned", text).replace("label: Scheduled",
                                                                  "label: Planned")
    assert renamed != text
    status, draft = _call(server, token, "POST", "/api/v1/definitions", renamed.encode(),
                          "application/yaml")
    assert status == 201, draft
    status, done = _call(server, token, "POST", f"/api/v1/definitions/{draft['version']}/publish",
                         json.dumps({"comment": "Scheduled is called Planned now"}).encode())
    assert status == 200, done
    return int(draft["version"])


def test_an_admin_maps_a_renamed_state_dry_runs_and_moves_the_open_cases(
        browser: Any, demo_server: DemoServer) -> None:
    token = demo_token(demo_server, demo_server.logins["admin"][0], "migration page")
    number = _publish_planned(demo_server, token)
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs = watch_dialogs(page)
    sign_in_as(page, demo_server, "admin")
    page.goto(demo_server.url + "/admin/definitions")
    page.click(f"[data-testid=migrate-{number}]")
    page.wait_for_selector(f"h1:has-text('Move open cases to version {number}')")
    scheduled = page.locator("select[name=state__scheduled]")
    if scheduled.count() == 0:  # no demo case is scheduled now: nothing to map there
        assert page.locator("[data-testid=nothing-to-move]").count() == 0
    else:
        assert scheduled.input_value() == ""  # gone in the new version: choose
        labels = scheduled.locator("option").all_inner_texts()
        assert "Planned" in labels and "Invoiced" not in labels  # no final states
        scheduled.select_option("planned")
    page.click("[data-testid=dry-run]")
    totals = page.locator("[data-testid=migrate-totals]").inner_text()
    found = re.search(r"(\d+) of (\d+) open cases can move|All (\d+) open cases? can move",
                      totals)
    assert found, totals
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "migration-dry-run.png"), full_page=True)
    if scheduled.count():
        assert page.locator("select[name=state__scheduled]").input_value() == "planned"
    page.click("[data-testid=apply]")  # no comment: refused, nothing moved
    assert "say why the cases move" in page.locator("[data-testid=comment-error]").inner_text()
    page.fill("[data-testid=migrate-comment]", "Scheduled is called Planned now")
    page.click("[data-testid=apply]")
    page.wait_for_selector("[data-testid=migration][data-status=done]", timeout=60_000)
    summary = page.locator("[data-testid=migration-summary]").inner_text()
    assert re.search(rf"\d+ of \d+ open cases? moved to version {number}", summary), summary
    page.screenshot(path=str(SHOTS / "migration-result.png"), full_page=True)
    rows = page.locator("[data-testid=outcome-migrated] ~ .table-wrap tbody tr")
    planned = rows.filter(has_text="Scheduled")
    row = planned.first if planned.count() else rows.first
    row.locator("a").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    text = page.locator("main").inner_text()
    assert f"Moved to definition version {number}" in text
    if planned.count():
        assert "Scheduled → Planned" in text
    assert dialogs == []
    context.close()
