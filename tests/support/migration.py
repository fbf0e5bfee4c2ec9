"""Cases in every state of the repair bundle's version 1 (see tests/support/repairs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.cases import booking
from tests.support.repairs import V1
from tests.support.world import World

MAP = {"state_map": {"waiting": "on_hold"}, "field_map": {"urgency": "priority"}}


@dataclass
class Cases:
    booked: int
    booked_without_urgency: int
    waiting: int
    review: int
    no_notes: int
    long_notes: int
    exported: int
    exported_travel: int
    invoiced: int
    cancelled: int

    def open_ids(self) -> list[int]:
        return [v for k, v in vars(self).items() if k not in ("invoiced", "cancelled")]


def publish(world: World, text: str, tenant: str = "a") -> int:
    from workorders.platform.services.definitions import create_draft, publish_version

    cast = world.a if tenant == "a" else world.b
    with world.app.app_context():
        draft = create_draft(cast.tenant_id, text.encode(), cast.emails["admin"])
        publish_version(cast.tenant_id, draft.number, cast.emails["admin"])
        return draft.number


def _ok(resp: Any) -> dict[str, Any]:
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    return dict(resp.json)


def book(world: World, urgency: str | None = "high", tenant: str = "a") -> int:
    fields = {"urgency": urgency} if urgency else {}
    body = booking(world, tenant, case_type="repair", title="Fix the boiler", fields=fields)
    return int(_ok(world.api("coordinator", tenant).post("/api/v1/cases", json=body))["id"])


def move(world: World, case_id: int, *transitions: str, tenant: str = "a") -> None:
    for transition in transitions:
        _ok(world.api("coordinator", tenant).post(f"/api/v1/cases/{case_id}/transitions",
                                                  json={"transition": transition,
                                                        "comment": "moved by the test"}))


def submit(world: World, case_id: int, hours: str = "2", travel: str | None = None,
           notes: str | None = "Replaced the pump", tenant: str = "a") -> None:
    time = [{"date": "2026-11-26", "hours": hours, "labor": "work"}]
    if travel:
        time.append({"date": "2026-11-26", "hours": travel, "labor": "travel"})
    data: dict[str, Any] = {"time": time}
    if notes is not None:
        data["notes"] = notes
    _ok(world.api("coordinator", tenant).post(f"/api/v1/cases/{case_id}/submissions",
                                              json={"form": "report", "data": data}))


def cases_in_every_state(world: World) -> Cases:
    """Version 1 published and a case in each of its states (two exported)."""
    publish(world, V1)
    c = Cases(booked=book(world), booked_without_urgency=book(world, None),
              waiting=book(world), review=book(world), no_notes=book(world),
              long_notes=book(world), exported=book(world), exported_travel=book(world),
              invoiced=book(world), cancelled=book(world))
    move(world, c.waiting, "start", "wait")
    move(world, c.review, "start", "to_review")
    move(world, c.no_notes, "start")
    submit(world, c.no_notes, hours="6", notes=None)
    move(world, c.long_notes, "start")
    submit(world, c.long_notes, notes="The pump was replaced and the whole system bled twice")
    for case_id, travel in ((c.exported, None), (c.exported_travel, "1"), (c.invoiced, None)):
        move(world, case_id, "start")
        submit(world, case_id, travel=travel)
        move(world, case_id, "finish")
    move(world, c.invoiced, "invoice")
    move(world, c.cancelled, "cancel")
    return c
