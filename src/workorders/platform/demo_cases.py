"""Demo cases: for every case type, cases in each state the demo can reach by
booking them and moving them as the right person, filing the field reports a
transition requires on the way (demo_reports).

Paths are found from the lifecycle itself (breadth-first), so the demo follows
whatever the example bundles define.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from workorders.definitions.model import Bundle, CaseType, Transition
from workorders.errors import WorkordersError
from workorders.platform.auth import Actor, actor_for
from workorders.platform.demo_reports import submit_reports
from workorders.platform.services.accounts import member_by_email
from workorders.platform.services.cases import book_case, transition_case
from workorders.platform.services.submissions import final_forms_of

#: valid demo buyer identifiers per country: (Peppol id, org number, VAT id)
PEPPOL = {"SE": ("0007:5560000001", "5560000001", "SE556000000101"),
          "NO": ("0192:987654325", "987654325", "NO987654325MVA"),
          "DK": ("0184:12345674", "12345674", "DK12345674")}
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
    return "coordinator" in t.roles or "technician" in t.roles


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


def book_demo_cases(tenant_id: int, bundle: Bundle, coordinator_email: str,
                    technician_email: str, country: str) -> int:
    case_types = bundle.case_types
    coordinator = actor_for(member_by_email(tenant_id, coordinator_email))
    technician = actor_for(member_by_email(tenant_id, technician_email))
    start = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    jobs = [(case_type, state, path) for case_type in case_types
            for state, path in sorted(reachable_paths(case_type).items())] * COPIES
    for n, (case_type, _state, path) in enumerate(jobs):
        name, street, city, postal = CUSTOMERS[n % len(CUSTOMERS)]
        when = start + timedelta(days=(n % 5) - 1, hours=2 * (n % 3))
        address = {"street": street, "city": city, "postal_code": postal, "country": country}
        case = book_case(coordinator, {
            "case_type": case_type.id, "title": f"{case_type.name} at {name}",
            "customer": {"name": name, "email": f"kund{n}@example.test",
                         "phone": "+46 70 123 45 67", "erp_id": f"K{1000 + n}",
                         "org_number": PEPPOL[country][1], "vat_id": PEPPOL[country][2],
                         "peppol_id": PEPPOL[country][0], "address": address},
            "site": address, "scheduled_start": when.isoformat(),
            "scheduled_end": (when + timedelta(hours=3)).isoformat(),
            "assignee": technician_email, "fields": {}})
        for t in path:
            actor: Actor = coordinator if "coordinator" in t.roles else technician
            missing = [f for f in t.requires_forms if f not in final_forms_of(case)]
            if missing and not submit_reports(technician, case.id, bundle, tuple(missing)):
                break
            try:
                transition_case(actor, case.id, t.id, comment=f"Demo: {t.label.lower()}")
            except WorkordersError:
                break  # e.g. readiness blocked by a rule: the case stays where it is
    return len(jobs)
