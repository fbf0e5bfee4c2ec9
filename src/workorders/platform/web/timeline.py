"""The audit trail in words: who did what, when, and what changed.

Events store machine-shaped before/after values; a person wants "Assigned to
Tove" and "Scheduled: Thu 26 Nov 08:00–10:00 → Fri 27 Nov 09:00–11:00" (a move is
one window → the other, never a start line and an end line). This turns one event
into a headline plus a list of changed fields, using the case type's own labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workorders.definitions.model import Bundle, CaseType, Form
from workorders.definitions.problems import pointer
from workorders.forms.words import pointer_words
from workorders.platform.models import AuditEvent
from workorders.platform.services.notification_log import CHANNEL_WORDS
from workorders.platform.web.display import fmt_datetime, fmt_window
from workorders.rules.readiness import approver_words

KEY_LABELS = {
    "title": "Title", "customer": "Customer", "site": "Site", "assignee": "Technician",
    "scheduled_start": "Scheduled start", "scheduled_end": "Scheduled end",
    "status": "Status", "fields": "Fields", "name": "name", "email": "email",
    "phone": "phone", "erp_id": "ERP id", "org_number": "org number", "vat_id": "VAT id",
    "peppol_id": "Peppol id", "address": "address", "street": "street", "city": "city",
    "postal_code": "postal code", "country": "country", "access_notes": "access notes",
}
TIME_KEYS = {"scheduled_start", "scheduled_end"}
#: the booked window's label, as the case list's column and the booking's summary
SCHEDULED = "Scheduled"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    seq: int
    at: datetime
    who: str
    kind: str  # booked | updated | assigned | transition | other
    headline: str
    changes: list[Change] = field(default_factory=list)
    comment: str | None = None


class Describer:
    """Words for one case type's events. Given the bundle, reports are named by
    their forms' titles and their changed fields by the forms' labels."""

    def __init__(self, case_type: CaseType, names: dict[str, str],
                 bundle: Bundle | None = None) -> None:
        self.case_type = case_type
        self.names = names
        self.bundle = bundle

    def form(self, form_id: str) -> Form | None:
        return self.bundle.form(form_id) if self.bundle is not None else None

    def form_title(self, form_id: str) -> str:
        form = self.form(form_id)
        if form is not None:
            return form.title
        return form_id.replace("_", " ")

    def person(self, email: Any) -> str:
        if not email:
            return "nobody"
        return self.names.get(str(email), str(email))

    def state(self, state_id: Any) -> str:
        state = self.case_type.lifecycle.state(str(state_id))
        return state.label if state else str(state_id).replace("_", " ").capitalize()

    def value(self, key: str, value: Any) -> str:
        if value in (None, "", {}, []):
            return "—"
        if key in TIME_KEYS:
            return fmt_datetime(str(value), with_zone=True)
        if key == "assignee":
            return self.person(value)
        if key == "status":
            return self.state(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            if "image" in value:  # a signature: who signed, not the attachment id
                return f"signed by {value.get('name') or 'someone'}"
            return ", ".join(f"{KEY_LABELS.get(k, k)}: {self.value(k, v)}"
                             for k, v in value.items())
        if isinstance(value, list):
            return _count(value)
        return str(value)

    def label(self, parent: str | None, key: str) -> str:
        if parent == "fields":
            found = self.case_type.field(key)
            return found.label if found else key.replace("_", " ").capitalize()
        own = KEY_LABELS.get(key, key.replace("_", " "))
        return f"{KEY_LABELS.get(parent, parent)} {own}" if parent else own

    def window(self, values: dict[str, Any]) -> str:
        """A booked window in one phrase ("Thu 26 Nov 08:00–10:00 CET"), or "—"."""
        if not values.get("scheduled_start"):
            return "—"
        return fmt_window(values.get("scheduled_start"), values.get("scheduled_end"))

    def booking_changes(self, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
        """A booking change: a move reads as one "Scheduled: old window → new window"
        line first (the event holds both ends once either moved; an older event with
        one end only shows what it holds), then the other keys by their labels."""
        out: list[Change] = []
        if TIME_KEYS & (set(before) | set(after)):
            old, new = self.window(before), self.window(after)
            if old != new:
                out.append(Change(SCHEDULED, old, new))
        rest = {k: v for k, v in before.items() if k not in TIME_KEYS}
        return out + self.changes(rest, {k: v for k, v in after.items() if k not in TIME_KEYS})

    def changes(self, before: dict[str, Any], after: dict[str, Any],
                parent: str | None = None) -> list[Change]:
        out: list[Change] = []
        for key in sorted(set(before) | set(after), key=str):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            nested = isinstance(old, dict) or isinstance(new, dict)
            if parent is None and nested and not _signature(old) and not _signature(new):
                out += self.changes(old or {}, new or {}, key)
            else:
                out.append(Change(self.label(parent, key), self.value(key, old),
                                  self.value(key, new)))
        return out

    def report_changes(self, form_id: str, before: dict[str, Any],
                       after: dict[str, Any]) -> list[Change]:
        """A report's changed fields by the form's labels ("Customer signature",
        "Time"), never the field ids; counts and "signed by" as elsewhere."""
        form = self.form(form_id)
        return [Change(pointer_words(pointer(key), form), self.value(key, before.get(key)),
                       self.value(key, after.get(key)))
                for key in sorted(set(before) | set(after), key=str)
                if before.get(key) != after.get(key)]

    def outcome_headline(self, action: str, after: dict[str, Any]) -> str | None:
        """Rule outcomes and people's decisions on them, in words (the rule's own
        message or reason is the event's comment, shown beneath)."""
        template = OUTCOME_HEADLINES.get(action)
        if template is None:
            return None
        values = {k: v for k, v in after.items()}
        values.setdefault("assignee", None)
        values["assignee"] = self.person(values["assignee"])
        approver = str(values.get("approver", ""))
        kind, _, who = approver.partition(":")
        values["approver"] = self.person(who) if kind == "user" else approver_words(approver)
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return action.replace(":", " ").replace("_", " ").capitalize()

    def _make(self, event: AuditEvent, kind: str, headline: str,
              changes: list[Change] | None = None) -> Entry:
        return Entry(seq=event.seq, at=event.at, who=self.person(event.actor), kind=kind,
                     headline=headline, changes=changes or [], comment=event.comment)

    def entry(self, event: AuditEvent) -> Entry:
        before, after = event.before or {}, event.after or {}
        if event.action == "booked":
            customer = after.get("customer") or {}
            facts = [Change("Customer", "", self.value("name", customer.get("name"))),
                     Change(SCHEDULED, "", self.window(after)),
                     Change(KEY_LABELS["assignee"], "",
                            self.value("assignee", after.get("assignee")))]
            status = self.state(after.get("status"))
            headline = "Booked the case" + ("" if status == "Booked" else f" ({status})")
            return self._make(event, "booked", headline, facts)
        if event.action.startswith("transition:"):
            transition_id = event.action.split(":", 1)[1]
            t = self.case_type.lifecycle.transition(transition_id)
            label = t.label if t else transition_id.replace("_", " ")
            return self._make(event, "transition", f"{label}: {self.state(before.get('status'))}"
                              f" → {self.state(after.get('status'))}")
        if event.action == "updated" and set(after) == {"assignee"}:
            who = after.get("assignee")
            headline = f"Assigned to {self.person(who)}" if who else "Removed the assignee"
            return self._make(event, "assigned", headline, self.booking_changes(before, after))
        if event.action == "updated":
            return self._make(event, "updated", "Changed the booking",
                              self.booking_changes(before, after))
        if event.action == "notification.retried":
            to = after.get("to") or "the recipient"
            return self._make(event, "updated", f"Sent a message to {self.person(to)} again "
                              f"({CHANNEL_WORDS.get(str(after.get('channel')), 'message')})")
        if event.action == "case.migrated":
            return self._make(event, "updated", migrated_headline(before, after),
                              self.changes(before.get("fields") or {},
                                           after.get("fields") or {}, "fields"))
        kind, _, form_id = event.action.partition(":")
        if kind in REPORT_VERBS and form_id:
            revision = after.get("revision")
            headline = f"{REPORT_VERBS[kind]} “{self.form_title(form_id)}”" + (
                f" (revision {revision})" if revision else "")
            return self._make(event, "report", headline, self.report_changes(
                form_id, {k: v for k, v in before.items() if k != "revision"},
                {k: v for k, v in after.items() if k != "revision"}))
        outcome = self.outcome_headline(event.action, after)
        if outcome is not None:
            return self._make(event, "rule", outcome)
        return self._make(event, "other", event.action.replace("_", " ").capitalize(),
                          self.changes(before, after))


def migrated_headline(before: dict[str, Any], after: dict[str, Any]) -> str:
    """``Moved to definition version 2 (was 1): Waiting → On hold`` (the labels were
    stored with the event: the old version's label is not in the new version)."""
    head = (f"Moved to definition version {after.get('definition_version')} "
            f"(was {before.get('definition_version')})")
    if before.get("status") == after.get("status"):
        return head
    return f"{head}: {before.get('state') or before.get('status')} → " \
           f"{after.get('state') or after.get('status')}"


def _signature(value: Any) -> bool:
    return isinstance(value, dict) and "image" in value


def _count(items: list[Any]) -> str:
    """Report lines and photos read as counts in the trail; the Reports section on
    the case page shows them line by line."""
    if items and all(isinstance(i, dict) for i in items):
        return f"{len(items)} line{'' if len(items) == 1 else 's'}"
    return f"{len(items)} item{'' if len(items) == 1 else 's'}"


REPORT_VERBS = {"draft": "Saved a draft of", "final": "Submitted", "correction": "Corrected"}
OUTCOME_HEADLINES = {
    "exception:opened": "Exception {code} raised ({severity})",
    "exception:resolved_by_rule": "Exception #{exception} closed: the rule no longer applies",
    "exception:resolved": "Exception #{exception} resolved",
    "exception:overridden": "Exception #{exception} overridden",
    "exception:reopened": "Exception #{exception} reopened",
    "exception:assigned": "Exception #{exception} assigned to {assignee}",
    "approval:requested": "Approval requested from {approver}",
    "approval:approved": "Approval #{approval} approved",
    "approval:rejected": "Approval #{approval} rejected",
    "approval:resolved_by_rule": "Approval #{approval} withdrawn: the rule no longer applies",
    "invoicing:blocked": "Invoicing blocked by a rule",
    "invoicing:unblocked": "Invoicing block lifted: the rule no longer applies",
    "rule:set_field": "A rule set a case field",
    "rule:assign": "A rule routed the case",
}



def timeline(case_type: CaseType, names: dict[str, str], events: list[AuditEvent],
             newest_first: bool = True, bundle: Bundle | None = None) -> list[Entry]:
    entries = [Describer(case_type, names, bundle).entry(e) for e in events]
    return list(reversed(entries)) if newest_first else entries
