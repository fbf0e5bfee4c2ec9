"""The fact document a case's rules see, built from stored rows.

Totals are the case's: every form's latest final revision, with the
submission being evaluated standing in for its own form's revision (a draft
counts while it is the one being checked). A single submission on a case, as
in the bundle's golden tests, gives exactly the golden runner's totals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workorders.forms import compute_totals
from workorders.platform.actor import Actor
from workorders.platform.models import Case, Submission
from workorders.platform.services.case_context import LoadedCase, member_name
from workorders.platform.services.case_state import latest_finals as stored_finals
from workorders.rules.facts_doc import build_fact_document

SYSTEM = "system"


def latest_finals(case: Case) -> dict[str, Submission]:
    return stored_finals(case.tenant_id, case.id)


def case_totals(loaded: LoadedCase, current: Submission | None) -> dict[str, Decimal]:
    chosen = {form_id: s.data for form_id, s in latest_finals(loaded.case).items()}
    if current is not None:
        chosen[current.form_id] = current.data
    pairs = [(form, chosen[form.id]) for form in loaded.bundle.forms_of(loaded.case_type.id)
             if form.id in chosen]
    return compute_totals(pairs, loaded.bundle).facts()


def case_dict(loaded: LoadedCase) -> dict[str, Any]:
    case = loaded.case
    assignee = case.assignee
    return {
        "status": case.status, "case_type": case.case_type, "number": case.number,
        "created_at": case.created_at, "scheduled_start": case.scheduled_start,
        "scheduled_end": case.scheduled_end,
        "assignee": ({"email": assignee.email, "name": member_name(case.tenant_id, assignee.id)}
                     if assignee else None),
        "customer": case.customer or {}, "site": case.site or {}, "fields": case.fields or {},
    }


def actor_dict(actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {"role": SYSTEM, "roles": [SYSTEM], "email": None}
    roles = sorted(actor.roles)
    primary = next((r for r in ("technician", "coordinator", "admin", "viewer") if r in roles),
                   roles[0] if roles else None)
    return {"role": primary, "roles": roles, "email": actor.email}


def fact_document(loaded: LoadedCase, actor: Actor | None, submission: Submission | None,
                  previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """``previous`` is ``case_dict`` of the case before a reschedule (taken before
    the change is applied), so ``previous.*`` and ``case.*`` share one builder."""
    return build_fact_document(
        case=case_dict(loaded), form_id=submission.form_id if submission else None,
        form_data=submission.data if submission else None,
        totals=case_totals(loaded, submission),
        submission_kind=submission.kind if submission else None, actor=actor_dict(actor),
        previous=previous)
