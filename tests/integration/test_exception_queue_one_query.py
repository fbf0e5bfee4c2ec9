"""The API's exceptions list and the exceptions page filter with one query, so
"assigned to me" (and every other filter) means the same in both: the API used to
count everything routed to one of my roles as mine, the page only what names me."""

from __future__ import annotations

import pytest

from tests.integration.test_case_pages import login, text_of
from tests.integration.test_queue_pages import _items, _overtime_case
from tests.support.cases import publish_example
from tests.support.world import World

FILTERS = [("assigned_to=me", "assignee=me"),
           ("assigned_to=coordinator", "assignee=role:coordinator"),
           ("assigned_to=admin@alpha.test", "assignee=admin@alpha.test"),
           ("severity=high", "severity=high"),
           ("case_type=installation", "case_type=installation")]


@pytest.fixture
def three_exceptions(world: World) -> World:
    """Three open exceptions routed to the coordinators: one assigned to the
    coordinator, one to the admin, one to no person yet."""
    publish_example(world)
    ids = [_overtime_case(world)["exception"]["id"] for _ in range(3)]
    for eid, person in zip(ids, (world.a.emails["coordinator"], world.a.emails["admin"]),
                           strict=False):
        resp = world.api("admin").post(f"/api/v1/exceptions/{eid}/assign", json={"user": person})
        assert resp.status_code == 200, resp.get_data(as_text=True)
    return world


@pytest.mark.parametrize(("api_query", "page_query"), FILTERS)
def test_api_and_page_list_the_same_exceptions(three_exceptions: World, api_query: str,
                                               page_query: str) -> None:
    world = three_exceptions
    listed = world.api("coordinator").get(f"/api/v1/exceptions?status=open&{api_query}")
    assert listed.status_code == 200
    from_api = {f"exception-{e['id']}" for e in listed.json["items"]}
    page = login(world, "coordinator").get(f"/exceptions?{page_query}")
    assert set(_items(text_of(page))) == from_api


def test_assigned_to_me_is_what_names_me(three_exceptions: World) -> None:
    world = three_exceptions
    mine = world.api("coordinator").get("/api/v1/exceptions?assigned_to=me").json["items"]
    assert [e["assigned_to"] for e in mine] == [world.a.emails["coordinator"]]
