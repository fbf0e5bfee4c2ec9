"""Loading a case with what its rules need: its pinned bundle and case type,
and the lifecycle snapshot for the person acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workorders.definitions.lifecycle import CaseSnapshot
from workorders.definitions.model import Bundle, CaseType, Form, Section
from workorders.errors import Conflict
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Case
from workorders.platform.services.definitions import bundle_of


@dataclass(frozen=True)
class LoadedCase:
    case: Case
    bundle: Bundle
    case_type: CaseType


def load_case(actor: Actor, case_id: int, *, lock: bool = False) -> LoadedCase:
    case = get_for_tenant(Case, case_id, actor.tenant_id, lock=lock)
    bundle = bundle_of(case.definition)
    case_type = bundle.case_type(case.case_type)
    if case_type is None:  # pragma: no cover - a pinned version cannot lose a case type
        raise Conflict(f"case type {case.case_type} is missing from its definition version")
    return LoadedCase(case, bundle, case_type)


def case_fields_form(case_type: CaseType) -> Form:
    """Case-level fields validate like a one-section form, with the same rules."""
    return Form(id=f"{case_type.id}__fields", title=case_type.name,
                sections=(Section(title=None, fields=case_type.fields),))


def attributes_of(case: Case) -> dict[str, Any]:
    return {
        "assignee": case.assignee.email if case.assignee else None,
        "scheduled_start": case.scheduled_start.isoformat() if case.scheduled_start else None,
        "scheduled_end": case.scheduled_end.isoformat() if case.scheduled_end else None,
        "customer": case.customer or {},
        "site": case.site or {},
        "fields": case.fields or {},
    }


def snapshot_for(actor: Actor, loaded: LoadedCase, *, invoice_blockers: tuple[str, ...] = (),
                 final_forms: frozenset[str] = frozenset()) -> CaseSnapshot:
    case = loaded.case
    return CaseSnapshot(status=case.status, actor_roles=actor.roles,
                        actor_is_assignee=case.assignee_id == actor.user_id,
                        attributes=attributes_of(case), final_forms=final_forms,
                        invoice_blockers=invoice_blockers,
                        form_titles={f: form.title for f in loaded.case_type.forms
                                     if (form := loaded.bundle.form(f)) is not None})
