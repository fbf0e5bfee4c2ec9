"""The coordinator's home: each number links to the list that shows exactly the
counted items; a technician goes to My jobs; other tenants' work is not counted."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.integration.test_case_list import rows
from tests.integration.test_case_pages import login, text_of
from tests.integration.test_queue_pages import _items, _overtime_case
from tests.support.cases import book, publish_example
from tests.support.world import World


def _figure(page: str, testid: str) -> tuple[int, str]:
    found = re.search(rf'<a href="([^"]+)" data-testid="{testid}">(\d+)', page)
    assert found, testid
    return int(found.group(2)), html_lib.unescape(found.group(1))


def test_each_home_number_is_what_its_link_lists(world: World) -> None:
    publish_example(world)
    publish_example(world, tenant="b")
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()
    book(world, title="Today's job", scheduled_start=f"{today}T23:00:00+01:00",
         scheduled_end=f"{today}T23:30:00+01:00")
    book(world, title="Late job", scheduled_start="2026-11-02T08:00:00+01:00",
         scheduled_end="2026-11-02T12:00:00+01:00")
    book(world, title="Next year", scheduled_start="2027-03-02T08:00:00+01:00",
         scheduled_end="2027-03-02T12:00:00+01:00")
    book(world, "b", title="Other workspace", scheduled_start="2026-11-02T08:00:00+01:00",
         scheduled_end="2026-11-02T12:00:00+01:00")
    _overtime_case(world)  # one high exception, one approval, and overdue (booked 26 Nov)
    client = login(world, "coordinator")
    page = text_of(client.get("/"))
    assert 'data-testid="work-home"' in page

    for testid, expected in (("home-today", 1), ("home-overdue", 2)):
        count, link = _figure(page, testid)
        assert count == expected, testid
        assert link.startswith("/cases?")
        listed = client.get(link)
        assert listed.status_code == 200, link
        assert len(rows(text_of(listed))) == count, link
    _, today_link = _figure(page, "home-today")
    assert f"from={today}" in today_link and f"to={today}" in today_link
    assert "overdue=1" in _figure(page, "home-overdue")[1]

    for severity, expected in (("critical", 0), ("high", 1), ("medium", 0), ("low", 0)):
        count, link = _figure(page, f"home-exceptions-{severity}")
        assert (count, link) == (expected, f"/exceptions?severity={severity}")
        assert len(_items(text_of(client.get(link)))) == count

    count, link = _figure(page, "home-approvals")
    assert (count, link) == (1, "/approvals")
    assert len(_items(text_of(client.get(link)))) == count  # the inbox lists pending ones

    count, link = _figure(page, "home-dead")
    assert (count, link) == (0, "/exports?status=dead")
    assert client.get(link).status_code == 200


def test_a_technician_goes_to_my_jobs_and_a_viewer_keeps_the_plain_home(world: World) -> None:
    publish_example(world)
    resp = login(world, "technician").get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/my")
    page = text_of(login(world, "viewer").get("/"))
    assert 'data-testid="work-home"' not in page and "Team" in page


def test_the_admin_keeps_the_background_jobs_tile(world: World) -> None:
    publish_example(world)
    page = text_of(login(world, "admin").get("/"))
    assert 'data-testid="work-home"' in page and "Background jobs" in page
