"""Simulations people start from the editor, each kept as a Task row.

``simulation.simulate_version`` replays recent cases and writes nothing. A
simulation an admin starts from the editor is remembered as a ``Task`` (kind
``simulation``, params ``{version, limit}``) either way, so its result can be
linked, polled and shown again on the publish confirmation: a small one
(at most ``SYNC_LIMIT`` cases) runs now and is stored done, a large one is
queued as the background job ``start_simulation`` creates, whose progress the
page polls.
"""

from __future__ import annotations

from workorders.platform.actor import Actor
from workorders.platform.models import Task
from workorders.platform.models.types import utcnow
from workorders.platform.services.simulation import (
    MAX_CASES,
    SYNC_LIMIT,
    simulate_version,
    start_simulation,
)
from workorders.platform.services.unit_of_work import transaction


def run_simulation(actor: Actor, number: int, limit: int) -> Task:
    """Simulate version ``number`` on the tenant's last ``limit`` cases: now when
    that is few, else in the background; the Task says how far it got."""
    limit = max(1, min(limit, MAX_CASES))
    if limit > SYNC_LIMIT:
        return start_simulation(actor, number, limit)
    result = simulate_version(actor, number, limit)
    with transaction() as session:
        task = Task(tenant_id=actor.tenant_id, kind="simulation", created_by=actor.email,
                    params={"version": number, "limit": limit}, status="done",
                    done=result["cases_checked"], total=result["cases_checked"],
                    result=result, finished_at=utcnow())
        session.add(task)
    return task
