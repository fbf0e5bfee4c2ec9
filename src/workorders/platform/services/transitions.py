"""Moving a case: the one place a status changes, for people and for rules.

After every transition the ``transition:<id>`` and ``enter:<state>`` rules run
in the same transaction, so what they raise commits with the move; then the
connectors listening on those triggers create their exports (same transaction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from workorders.definitions import lifecycle
from workorders.definitions.model import Transition
from workorders.platform.actor import Actor
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.case_context import LoadedCase, attributes_of
from workorders.platform.services.readiness import invoice_blockers
from workorders.platform.services.submissions import final_forms_of

if TYPE_CHECKING:
    from workorders.platform.services.rules_runtime import Report


def apply_transition(session: Session, loaded: LoadedCase, transition: Transition,
                     actor_label: str, comment: str | None) -> None:
    case = loaded.case
    before = case.status
    case.status = transition.to
    case.status_changed_at = utcnow()
    case.version += 1
    case.updated_at = utcnow()
    record_event(session, tenant_id=case.tenant_id, subject_type="case", subject_id=case.id,
                 actor=actor_label, action=f"transition:{transition.id}",
                 before={"status": before}, after={"status": case.status},
                 comment=(comment or "").strip() or None)


def run_transition_rules(session: Session, actor: Actor | None, loaded: LoadedCase,
                         transition_id: str, *, report: Report | None = None,
                         depth: int = 0) -> None:
    """What follows a case taking ``transition_id``, by a person or by a rule: the
    rules on the transition and on entering the new state, then the exports those
    triggers start (after the rules: what they block stops the export), then the
    message to the new state's owner (unless a rule moved the case on already: that
    move tells its own). The one place this order is written."""
    from workorders.platform.services.export_triggers import export_on_trigger
    from workorders.platform.services.notifications import notify_on_enter
    from workorders.platform.services.rules_runtime import run_rules

    entered_at, state = loaded.case.version, loaded.case.status
    triggers = (f"transition:{transition_id}", f"enter:{state}")
    for trigger in triggers:
        run_rules(session, actor, loaded, trigger, report=report, depth=depth)
    for trigger in triggers:
        export_on_trigger(session, loaded, trigger)
    if loaded.case.status == state:
        notify_on_enter(session, loaded, actor, entered_at)


def system_transition(session: Session, loaded: LoadedCase, transition_id: str,
                      why: str) -> Transition | str:
    """A rule's transition, taken as role ``system`` only when every requirement is
    met; otherwise the refusal in words (nothing changes)."""
    snapshot = lifecycle.CaseSnapshot(
        status=loaded.case.status, actor_roles=frozenset({lifecycle.SYSTEM_ROLE}),
        actor_is_assignee=False, attributes=attributes_of(loaded.case),
        final_forms=final_forms_of(loaded.case),
        invoice_blockers=tuple(b.reason for b in invoice_blockers(loaded)),
        form_titles={f: form.title for f in loaded.case_type.forms
                     if (form := loaded.bundle.form(f)) is not None})
    result = lifecycle.check(loaded.case_type, transition_id, snapshot)
    if result is None:
        return f"unknown transition '{transition_id}'"
    if not result.allowed:
        return (f"transition '{transition_id}' refused: "
                + "; ".join(u.message for u in result.unmet))
    apply_transition(session, loaded, result.transition, "system", why)
    return result.transition
