"""Demo cases: for every case type, one case in each state the demo can reach
by booking and moving it as the right person (states behind a required form or
invoice readiness wait for field reports).

Paths are found from the lifecycle itself (breadth-first), so the demo follows
whatever the example bundles define.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from workorders.definitions.model import CaseType, Transition
from workorders.platform.auth import Actor, actor_for
from workorders.platform.services.accounts import member_by_email
from workorders.platform.services.cases import book_case, transition_case

COPIES = 2  # two cases per state, so the board shows more than a diagonal
CUSTOMERS = (
    ("Lena Berg", "Storgatan 12", "Umeå", "90325"),
    ("Olle Ek", "Byvägen 3", "Luleå", "97231"),
    ("Fastighets AB Norrsken", "Kungsgatan 40", "Skellefteå", "93131"),
    ("Maja Lind", "Tallvägen 7", "Piteå", "94133"),
    ("Brf Solgläntan", "Solgatan 2", "Umeå", "90326"),
    ("Karin Holm", "Sjövägen 19", "Lycksele", "92132"),
)


def _movable(t: Transition) -> bool:
    return not t.requires_forms and not t.requires_invoice_ready and (
        "coordinator" in t.roles or "technician" in t.roles)


def reachable_paths(case_type: CaseType) -> dict[str, list[Transition]]:
    """The shortest transition path to each state reachable without field reports."""
    lifecycle = case_type.lifecycle
    paths: dict[str, list[Transition]] = {lifecycle.initial: []}
    queue = deque([lifecycle.initial])
    while queue:
        state = queue.popleft()
        for t in lifecycle.transitions_from(state):
            if _movable(t) and t.to not in paths:
                paths[t.to] = [*paths[state], t]
                queue.append(t.to)
    return paths


def book_demo_cases(tenant_id: int, case_types: tuple[CaseType, ...], coordinator_email: str,
                    technician_email: str, country: str) -> int:
    coordinator = actor_for(member_by_email(tenant_id, coordinator_email))
    technician = actor_for(member_by_email(tenant_id, technician_email))
    start = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    jobs = [(case_type, state, path) for case_type in case_types
            for state, path in sorted(reachable_paths(case_type).items())] * COPIES
    for n, (case_type, state, path) in enumerate(jobs):
        name, street, city, postal = CUSTOMERS[n % len(CUSTOMERS)]
        when = start + timedelta(days=(n % 5) - 1, hours=2 * (n % 3))
        address = {"street": street, "city": city, "postal_code": postal, "country": country}
        case = book_case(coordinator, {
            "case_type": case_type.id, "title": f"{case_type.name} at {name}",
            "customer": {"name": name, "email": f"kund{n}@example.test",
                         "phone": "+46 70 123 45 67", "erp_id": f"K{1000 + n}",
                         "address": address},
            "site": address, "scheduled_start": when.isoformat(),
            "scheduled_end": (when + timedelta(hours=3)).isoformat(),
            "assignee": technician_email, "fields": {}})
        for t in path:
            actor: Actor = coordinator if "coordinator" in t.roles else technician
            transition_case(actor, case.id, t.id, comment=f"Demo: moved to {state}")
    return len(jobs)
