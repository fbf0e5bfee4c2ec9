"""The case list on a desktop (1280x900), in Chromium against ``workorders
demo``: search and filter through the folded form, sort by a column header
(the filters stay), and download the CSV through its link and read it. The
screenshot for docs/pages.md is taken here."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import (
    STREET,
    book_by_api,
    demo_token,
    signed_in_page,
)
from tests.browser.helpers import DemoApi as Api

SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _book(api: Api, title: str, day: int, city: str) -> dict[str, Any]:
    """An unassigned morning job in April 2027 in ``city`` (what the search finds)."""
    return book_by_api(api, title, f"2027-04-{day:02d}T08:00:00+02:00",
                       f"2027-04-{day:02d}T12:00:00+02:00",
                       customer={"name": "Per Lind", "email": "per@example.test"},
                       site={**STREET, "street": "Kyrkgatan 3", "city": city})


def test_filter_sort_and_download_the_csv(browser: Any, demo_server: DemoServer) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    early = _book(api, "Listed early job", 5, "Skellefteå")
    late = _book(api, "Listed late job", 7, "Skellefteå")
    _book(api, "Elsewhere job", 6, "Piteå")
    with signed_in_page(browser, demo_server, "carl@nordvarme.test") as page:
        page.goto(f"{demo_server.url}/cases")
        assert page.locator("details.fold").get_attribute("open") is not None  # desktop
        page.fill("input[name=q]", "Skellefteå")
        page.select_option("select[name=assignee]", "unassigned")
        page.click("text=Show cases")
        page.wait_for_url(lambda url: "q=Skellefte" in url)
        table = page.locator("[data-testid=case-table]")
        assert "1–2 of 2" in page.locator("[data-testid=case-count]").inner_text()
        assert "Elsewhere job" not in table.inner_text()
        page.click("[data-testid=sort-scheduled]")
        page.wait_for_url(lambda url: "sort=scheduled" in url and "q=Skellefte" in url)
        numbers = page.locator("[data-testid=case-table] tbody tr td:first-child").all_inner_texts()
        assert numbers == [early["number"], late["number"]]
        page.click("[data-testid=sort-scheduled]")
        page.wait_for_url(lambda url: "sort=-scheduled" in url)
        numbers = page.locator("[data-testid=case-table] tbody tr td:first-child").all_inner_texts()
        assert numbers == [late["number"], early["number"]]
        assert "(2 on)" in page.locator("details.fold summary").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "case-list.png"))
        if os.environ.get("WORKORDERS_DOC_SHOTS"):
            page.screenshot(path=str(DOCS_IMG / "case-list.png"))
        with page.expect_download() as info:
            page.click("[data-testid=csv-link]")
        raw = Path(info.value.path()).read_bytes()
        assert raw.startswith("\ufeff".encode())
        text = raw.decode("utf-8")[1:]
        table_rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # sv-SE demo
        assert table_rows[0][0] == "Number" and len(table_rows) == 3
        assert [r[0] for r in table_rows[1:]] == [late["number"], early["number"]]
        assert table_rows[1][1] == "Listed late job" and table_rows[1][6] == ""
