"""Words, not ids (issue 15): the pages people read name fields, states, forms
and rule traces by the definition's labels, never by JSON pointers or snake_case
ids, and the API's human ``message`` names the place while ``path`` stays the
machine's pointer.

The scan takes the visible text of each page (tags, attributes, scripts and
styles removed) and looks for what only a machine should read.
"""

from __future__ import annotations

import html as htmlib
import re
from typing import Any

import pytest

from tests.integration.test_case_pages import login, text_of
from tests.support.capture import jpeg_bytes, report, started_case, upload
from tests.support.cases import publish_example
from tests.support.world import World

#: a JSON pointer into a report ("/time/0/hours", "/data/customer_signature")
POINTER = re.compile(r"(?<![\w.:/])/(?:data/)?[a-z][a-z_]*/(?:\d+|[a-z_]+)\b")
#: a lower-case snake_case id ("in_progress", "installation_report")
SNAKE = re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z0-9]+)+(?![\w@-])")
#: the ids the example bundle uses for states, forms, transitions and fields
IDS = ("in_progress", "work_done", "ready_for_invoice", "installation_report",
       "customer_signature", "installed_heat_pump", "work_description", "heat_pump_serial")


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(htmlib.unescape(page).split())


def machine_words(text: str) -> list[str]:
    """Pointers and snake_case ids found in a page's visible text (emails and
    URLs are a person's or a link's own words, not ids)."""
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)
    return POINTER.findall(text) + SNAKE.findall(text)


def _overtime(world: World) -> dict[str, Any]:
    """A final report with 17 hours and no signature: an approval and an exception."""
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions", json={
        "form": "installation_report", "data": report(photo, hours="16")})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return case


@pytest.fixture
def overtime(world: World) -> tuple[World, dict[str, Any]]:
    publish_example(world)
    return world, _overtime(world)


def test_visible_text_finds_what_a_machine_would_write() -> None:
    """The scanner itself: today's faults are found, words pass."""
    assert machine_words(visible_text('<p title="/time/0">Time, row 1: Hours</p>')) == []
    assert machine_words(visible_text("<li>Status: scheduled → in_progress</li>")) == [
        "in_progress"]
    assert machine_words(visible_text("<small>/time/0/hours: bad</small>")) == ["/time/0"]
    assert machine_words(visible_text("<p>Mail tove_s@x.test</p>")) == []


def test_the_main_pages_show_no_pointers_or_ids(overtime: tuple[World, dict[str, Any]]) -> None:
    world, case = overtime
    coordinator = login(world, "coordinator")
    pages = {
        "board": coordinator.get("/board", follow_redirects=True),
        "case": coordinator.get(f"/cases/{case['id']}"),
        "exceptions": coordinator.get("/exceptions"),
        "approvals": coordinator.get("/approvals"),
    }
    technician = login(world, "technician")
    pages |= {
        "my jobs": technician.get("/my", follow_redirects=True),
        "technician's case": technician.get(f"/cases/{case['id']}"),
        "form": technician.get(f"/cases/{case['id']}/forms/installation_report"),
    }
    found = {}
    for name, resp in pages.items():
        assert resp.status_code == 200, name
        text = visible_text(text_of(resp))
        bad = machine_words(text) + [i for i in IDS if i in text]
        if bad:
            found[name] = sorted(set(bad))
    assert found == {}
    case_text = visible_text(text_of(pages["case"]))
    assert "Customer signature is missing" in case_text  # the trace, in words
    assert "Total hours 17 is more than 16" in visible_text(text_of(pages["exceptions"])) or \
        "Total hours 17 is more than 16" in visible_text(text_of(pages["approvals"]))
    assert "Submitted “Installation report”" in case_text  # the history names the form
    assert "Waiting for approval by a coordinator" in case_text
    # the invoicing blockers' badges are words, not the API's kinds
    badges = re.findall(r'<span class="badge">([^<]*)</span>', text_of(pages["case"]))
    assert "Approval" in badges and "approval" not in badges and "exception" not in badges


def test_the_case_history_names_states_not_ids(overtime: tuple[World, dict[str, Any]]) -> None:
    world, case = overtime
    text = visible_text(text_of(login(world, "coordinator").get(f"/cases/{case['id']}")))
    assert "Scheduled → In progress" in text
    assert "in_progress" not in text and "scheduled →" not in text


def test_a_refused_report_names_the_place_in_words_on_the_form_page_and_the_api(
        world: World) -> None:
    publish_example(world)
    case = started_case(world)
    data = {"time": [{"date": "2026-11-26", "hours": "abc", "labor": "install"}],
            "colour": "red"}
    api = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions",
                                       json={"form": "installation_report", "data": data})
    assert api.status_code == 422
    errors = {e["path"]: e["message"] for e in api.json["errors"]}
    assert errors["/data/time/0/hours"] == (
        "Time, row 1: Hours — Use a number like 2.5 (digits, a point before decimals).")
    assert errors["/data/colour"].startswith("Colour — Unknown field")

    client = login(world, "technician")
    page = client.post(f"/cases/{case['id']}/forms/installation_report", data={
        "_action": "final", "time-0-date": "2026-11-26", "time-0-hours": "abc",
        "time-0-labor": "install", "colour": "red"})
    text = visible_text(text_of(page))
    assert page.status_code == 422
    assert "Use a number like 2.5" in text and "Colour — Unknown field" in text
    assert POINTER.findall(text) == []


def test_a_bad_date_says_what_to_type(world: World) -> None:
    publish_example(world)
    case = started_case(world)
    data = {"time": [{"date": "26/11/2026", "hours": "2", "labor": "nope"}]}
    api = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions",
                                       json={"form": "installation_report", "data": data})
    errors = {e["path"]: e["message"] for e in api.json["errors"]}
    assert errors["/data/time/0/date"] == "Time, row 1: Date — Use a date like 2026-12-03."
    assert errors["/data/time/0/labor"].startswith("Time, row 1: Work type — Pick one of: ")
    assert "install" not in errors["/data/time/0/labor"].split("Pick one of:")[1] or \
        "Install" in errors["/data/time/0/labor"]
