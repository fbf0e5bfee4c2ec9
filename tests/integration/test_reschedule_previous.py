"""A move as the customer and the history read it: the reschedule rule's text names
the old and the new time (``previous.*``), the timeline shows one "Scheduled: old
window → new window" line, and a bad case field is named in words.

Runs on SQLite and PostgreSQL (the ``world`` fixture is parametrised).
"""

from __future__ import annotations

import re

import pytest

from tests.integration.test_case_edit import edit_form, sms_texts
from tests.integration.test_case_pages import case_json, events
from tests.support.cases import book, publish_example
from tests.support.web import login, text_of
from tests.support.world import World


@pytest.fixture
def moved_world(world: World) -> World:
    publish_example(world)
    return world


def _history(html: str) -> str:
    """The History section's text, whitespace collapsed."""
    section = html[html.index('data-testid="timeline"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_moving_a_case_texts_the_old_and_the_new_window(moved_world: World) -> None:
    world = moved_world
    case = book(world)  # 26 Nov 2026 08:00–16:00 Stockholm time
    before = set(sms_texts(world))
    client = login(world, "coordinator")
    resp = client.post(f"/cases/{case['id']}/edit", data=edit_form(
        world, case, scheduled_start="2026-12-04T09:00", scheduled_end="2026-12-04T11:00"))
    assert resp.status_code == 302, text_of(resp)
    [text] = [m for m in sms_texts(world) if m not in before]
    # the tenant's bundle writes Swedish: the old time, then the new one, by |datetime
    assert "flyttat från tors 26 nov. 2026 08:00" in text, text
    assert "till fre 4 dec. 2026 09:00" in text, text
    assert "Lena Berg" in text and "T0" not in text  # read as times, never ISO text

    history = _history(text_of(client.get(f"/cases/{case['id']}")))
    assert "Scheduled start" not in history and "Scheduled end" not in history
    line = re.search(r"Scheduled (.*?) → (.*?CET)", history)
    assert line is not None, history
    old, new = line.groups()
    assert "26" in old and "08:00" in old and "16:00" in old
    assert "4" in new and "09:00" in new and "11:00" in new


def test_moving_one_end_keeps_both_ends_in_the_history(moved_world: World) -> None:
    world = moved_world
    case = book(world)
    resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                          json={"scheduled_start": "2026-11-26T10:00:00+01:00"})
    assert resp.status_code == 200, resp.json
    [updated] = [e for e in events(world, case["id"]) if e["action"] == "updated"]
    assert set(updated["before"]) == set(updated["after"]) == {"scheduled_start",
                                                               "scheduled_end"}
    assert updated["before"]["scheduled_end"] == updated["after"]["scheduled_end"]
    history = _history(text_of(login(world, "coordinator").get(f"/cases/{case['id']}")))
    line = re.search(r"Scheduled (.*?) → (.*?CET)", history)
    assert line is not None and "08:00–16:00" in line.group(1) \
        and "10:00–16:00" in line.group(2), history


def test_a_new_technician_reads_as_one_technician_line(moved_world: World) -> None:
    world = moved_world
    case = book(world, assignee=None)
    client = login(world, "coordinator")
    resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                          json={"assignee": world.a.emails["technician"]})
    assert resp.status_code == 200, resp.json
    history = _history(text_of(client.get(f"/cases/{case['id']}")))
    assert "Assigned to" in history
    assert re.search(r"Technician — → \w", history), history
    assert "Scheduled —" not in history.split("Booked the case")[0]  # no window line


def test_the_rule_sees_the_technician_before_the_move(moved_world: World) -> None:
    """``previous.assignee`` holds the old technician's email and the name this
    tenant gave them, as ``case.assignee`` does."""
    from workorders.platform.services import rule_facts

    world = moved_world
    case = book(world)
    seen: list[dict[str, object]] = []
    original = rule_facts.fact_document

    def spy(*args: object, **kwargs: object) -> dict[str, object]:
        document = original(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(document)
        return document

    rule_facts.fact_document = spy  # type: ignore[assignment]
    try:
        resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                              json={"assignee": None})
    finally:
        rule_facts.fact_document = original  # type: ignore[assignment]
    assert resp.status_code == 200
    [document] = seen
    previous = document["previous"]
    assert isinstance(previous, dict)
    assert previous["assignee"]["email"] == world.a.emails["technician"]
    assert previous["assignee"]["name"]  # the member's name in this tenant
    assert previous["scheduled_start"] == document["case"]["scheduled_start"]  # type: ignore
    assert document["case"]["assignee"] == {"email": None, "name": None}  # type: ignore


def test_a_bad_case_field_is_named_by_its_label_and_nothing_changes(
        moved_world: World) -> None:
    world = moved_world
    case = book(world)
    resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                          json={"fields": {"rot_deduction": "perhaps"}})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    [error] = resp.json["errors"]
    assert error["path"] == "/fields/rot_deduction"
    assert error["message"].startswith("ROT deduction applies — "), error
    assert "rot_deduction" not in error["message"] and "/fields" not in error["message"]
    assert case_json(world, case["id"])["version"] == case["version"]


def test_a_non_technician_assignee_is_named_in_words(moved_world: World) -> None:
    world = moved_world
    case = book(world)
    resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                          json={"assignee": world.a.emails["coordinator"]})
    assert resp.status_code == 422
    [error] = resp.json["errors"]
    assert error["message"] == (f"Assignee — {world.a.emails['coordinator']} is not a "
                                "technician here")
