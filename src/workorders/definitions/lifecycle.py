"""The lifecycle engine: which transitions a person may take on a case, and why not.

Pure: it sees a case type's lifecycle and a snapshot of the case (``CaseSnapshot``)
and answers, for each transition, every unmet requirement, not just the first, so
a refused transition can tell the user everything that is missing at once.
Readiness for invoicing and final form submissions are facts the platform
computes and passes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workorders.definitions.model import CaseType, Transition

SYSTEM_ROLE = "system"


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """What the engine needs to know about a case and the person acting on it."""

    status: str
    actor_roles: frozenset[str]
    actor_is_assignee: bool
    attributes: Mapping[str, Any]  # assignee, scheduled_start, ..., customer, site, fields
    final_forms: frozenset[str] = frozenset()
    invoice_blockers: tuple[str, ...] = ()
    #: form id -> title, so an unmet "requires_forms" names the form as people know it
    form_titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unmet:
    kind: str  # role | state | requires | requires_forms | requires_invoice_ready | assignee
    name: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "message": self.message}


@dataclass(frozen=True, slots=True)
class TransitionCheck:
    transition: Transition
    unmet: tuple[Unmet, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return not self.unmet


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def attribute_value(attributes: Mapping[str, Any], name: str) -> Any:
    """``assignee``, ``customer.vat_id``, ``site`` or a case field id."""
    head, _, rest = name.partition(".")
    if head in attributes:
        value = attributes[head]
        for part in rest.split(".") if rest else ():
            value = value.get(part) if isinstance(value, Mapping) else None
        return value
    fields = attributes.get("fields") or {}
    return fields.get(name)


def _role_unmet(t: Transition, case: CaseSnapshot) -> list[Unmet]:
    roles = case.actor_roles & set(t.roles)
    if not roles:
        allowed = ", ".join(r for r in t.roles if r != SYSTEM_ROLE) or "the system"
        return [Unmet("role", ",".join(t.roles), f"only {allowed} may {t.label.lower()}")]
    # a technician acts on the jobs assigned to them, not on a colleague's
    if roles == {"technician"} and not case.actor_is_assignee:
        return [Unmet("assignee", "technician", "only the assigned technician may "
                                                f"{t.label.lower()} this case")]
    return []


def _requirement(case_type: CaseType, name: str) -> str:
    """A required attribute in words: a case field by its label, "customer.email"
    as "customer email", never the id."""
    own = case_type.field(name)
    if own is not None:
        return own.label
    return name.replace("_", " ").replace(".", " ")


def check(case_type: CaseType, transition_id: str, case: CaseSnapshot) -> TransitionCheck | None:
    """Every unmet requirement of one transition; None when the id is unknown."""
    t = case_type.lifecycle.transition(transition_id)
    if t is None:
        return None
    unmet: list[Unmet] = []
    if case.status not in t.from_states:
        state = case_type.lifecycle.state(case.status)
        unmet.append(Unmet("state", case.status, f"a case that is "
                           f"{state.label if state else case.status} cannot {t.label.lower()}"))
    unmet += _role_unmet(t, case)
    for name in t.requires:
        if not _present(attribute_value(case.attributes, name)):
            unmet.append(Unmet("requires", name, f"{_requirement(case_type, name)} must be "
                                                 "set first"))
    for form_id in t.requires_forms:
        if form_id not in case.final_forms:
            title = case.form_titles.get(form_id) or form_id.replace("_", " ")
            unmet.append(Unmet("requires_forms", form_id,
                               f"the form “{title}” needs a final submission"))
    if t.requires_invoice_ready:
        for reason in case.invoice_blockers:
            unmet.append(Unmet("requires_invoice_ready", "invoice", reason))
    return TransitionCheck(t, tuple(unmet))


def available(case_type: CaseType, case: CaseSnapshot) -> list[TransitionCheck]:
    """The transitions leaving the current state, each with its unmet requirements."""
    return [c for t in case_type.lifecycle.transitions_from(case.status)
            if (c := check(case_type, t.id, case)) is not None]


def owner_of(case_type: CaseType, status: str) -> str | None:
    """Who must act in ``status``: a role, ``assignee``, ``customer`` or nobody."""
    state = case_type.lifecycle.state(status)
    return state.owner if state else None


def is_work_complete_or_later(case_type: CaseType, status: str) -> bool:
    """True in a ``work_complete`` state or a state that can only be reached
    through one (ready_for_invoice, invoiced). A state reachable from the start
    without passing a work_complete state (in_progress after a reopen,
    cancelled) is not "done"."""
    lifecycle = case_type.lifecycle
    done = {s.id for s in lifecycle.states if s.work_complete}
    if status in done:
        return True
    not_done, frontier = {lifecycle.initial}, [lifecycle.initial]
    while frontier:
        for t in lifecycle.transitions_from(frontier.pop()):
            if t.to not in done and t.to not in not_done:
                not_done.add(t.to)
                frontier.append(t.to)
    return lifecycle.state(status) is not None and status not in not_done
