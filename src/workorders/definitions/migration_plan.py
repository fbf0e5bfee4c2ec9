"""Planning one open case's move to another definition version (pure: no database).

A case is pinned to the version it started on. Moving it is safe only when the
new version can hold everything the case already has: its state (by the admin's
state map, else the same id), its case fields (by the field map, else the same
id), every submitted report (checked against the new form exactly as a new
submission would be), and, once the case is invoiced, an invoice that comes out
the same. :func:`plan_case` answers whether it is, the state it lands in, the
problems in plain sentences and what changes, without touching anything.

The form check and the invoice pricing live in ``workorders.forms``, which this
layer may not import; like the golden-test runner, the planner takes them as
parameters (``platform.services.case_migration`` plugs in the real ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Bundle, CaseType, Field, Form, Section
from .problems import pointer

#: ``check_form(form, bundle, data)`` -> ``[(path, message)]``, e.g. ("/notes", "At most 40
#: characters."), the way a final submission of ``data`` would be refused
FormCheck = Callable[[Form, Bundle, Mapping[str, Any]], list[tuple[str, str]]]
#: ``price(bundle, case_type, reports)`` -> the invoice lines the reports make under the
#: bundle, each a mapping of plain strings (description, quantity, unit, unit_price, vat, net)
Pricer = Callable[[Bundle, CaseType, Mapping[str, Mapping[str, Any]]],
                  Sequence[Mapping[str, str]]]


@dataclass(frozen=True)
class OpenOutcome:
    """An open exception, a pending approval or an active invoicing block."""

    kind: str  # "exception" | "approval" | "block"
    rule: str | None
    label: str  # the exception's code, the approval's reason, the block's reason


@dataclass(frozen=True)
class CaseFacts:
    """What the planner needs to know about one case, read by the caller."""

    case_type: str
    state: str
    fields: Mapping[str, Any]
    #: the latest final (or corrected) report per form id
    reports: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: forms with only a draft so far
    drafts: tuple[str, ...] = ()
    open_outcomes: tuple[OpenOutcome, ...] = ()
    #: connector id -> the numbers of the invoices it issued for the case
    invoiced_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationRequest:
    #: old state id -> new state id; a state not listed keeps its id
    state_map: Mapping[str, str] = field(default_factory=dict)
    #: old case field id -> new field id, or None to drop the value on purpose
    field_map: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CasePlan:
    migratable: bool
    to_state: str | None
    #: the case fields after the move (only meaningful when migratable)
    fields: Mapping[str, Any]
    problems: tuple[str, ...]
    changes: Mapping[str, tuple[str, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {"migratable": self.migratable, "to_state": self.to_state,
                "problems": list(self.problems),
                "changes": {k: list(v) for k, v in self.changes.items()}}


@dataclass
class _Notes:
    problems: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def plan_case(old: Bundle, new: Bundle, case: CaseFacts, request: MigrationRequest, *,
              new_version: int, check_form: FormCheck, price: Pricer) -> CasePlan:
    """Whether ``case`` (on ``old``) can move to ``new`` (version ``new_version``)."""
    old_type, new_type = old.case_type(case.case_type), new.case_type(case.case_type)
    notes = _Notes()
    if old_type is None or new_type is None:
        notes.problems.append(f"version {new_version} has no case type '{case.case_type}'")
        return _plan(notes, None, {})
    to_state = _state(old_type, new_type, case.state, request, new_version, notes)
    fields = _fields(new, (old_type, new_type), case.fields, request, new_version, notes,
                     check_form)
    _forms(old, new, new_type, case, new_version, notes, check_form)
    _rules(old, new, case, new_version, notes)
    if case.invoiced_by:
        _invoiced(old, new, (old_type, new_type), case, new_version, notes, price)
    return _plan(notes, to_state, fields)


def _plan(notes: _Notes, to_state: str | None, fields: Mapping[str, Any]) -> CasePlan:
    return CasePlan(migratable=not notes.problems, to_state=to_state, fields=dict(fields),
                    problems=tuple(notes.problems),
                    changes={"fields": tuple(notes.fields), "forms": tuple(notes.forms),
                             "rules": tuple(notes.rules)})


def _state(old_type: CaseType, new_type: CaseType, state: str, request: MigrationRequest,
           new_version: int, notes: _Notes) -> str | None:
    old_state = old_type.lifecycle.state(state)
    label = old_state.label if old_state else state
    target = request.state_map.get(state, state)
    new_state = new_type.lifecycle.state(target)
    if new_state is None:
        if state in request.state_map:
            notes.problems.append(
                f"the state map sends '{label}' to '{target}', which is not a state of "
                f"{new_type.name} in version {new_version}")
        else:
            notes.problems.append(
                f"the state '{label}' ({state}) does not exist in version {new_version}; "
                f"map it to one of: {', '.join(s.id for s in new_type.lifecycle.states)}")
        return None
    if new_state.final:
        notes.problems.append(
            f"'{new_state.label}' is a final state in version {new_version}: a migration "
            "does not close cases; map it to an open state and close the case by its "
            "transition")
        return None
    return target


def case_fields_form(case_type: CaseType) -> Form:
    """Case fields are checked like a one-section form (as at booking)."""
    return Form(id=f"{case_type.id}__fields", title=case_type.name,
                sections=(Section(title=None, fields=case_type.fields),))


def _fields(new: Bundle, types: tuple[CaseType, CaseType], values: Mapping[str, Any],
            request: MigrationRequest, new_version: int, notes: _Notes,
            check_form: FormCheck) -> dict[str, Any]:
    old_type, new_type = types
    moved: dict[str, Any] = {}
    for key, value in values.items():
        if key in request.field_map:
            target = request.field_map[key]
            if target is None:
                notes.fields.append(f"'{key}' is dropped (its value stays in the audit trail)")
                continue
            if target != key:
                notes.fields.append(f"'{key}' becomes '{_label(new_type.field(target), target)}'")
            key = target
        if new_type.field(key) is None:
            notes.problems.append(
                f"the case field '{key}' has a value but version {new_version} has no such "
                "field: map it to another field with field_map, or to null to drop it")
            continue
        moved[key] = value
    for path, message in check_form(case_fields_form(new_type), new, moved):
        notes.problems.append(f"case field '{_label_at(new_type.fields, path)}': {message}")
    had = {f.id for f in old_type.fields} | set(request.field_map.values())
    added = [f.label for f in new_type.fields if f.id not in had]
    if added:
        notes.fields.append("new in this version: " + ", ".join(f"'{a}'" for a in added))
    return moved


def _forms(old: Bundle, new: Bundle, new_type: CaseType, case: CaseFacts, new_version: int,
           notes: _Notes, check_form: FormCheck) -> None:
    for form_id in sorted(set(case.reports) | set(case.drafts)):
        old_form, new_form = old.form(form_id), new.form(form_id)
        known = old_form or new_form
        title = known.title if known is not None else form_id
        if new_form is None or form_id not in new_type.forms:
            kind = "report" if form_id in case.reports else "draft"
            notes.problems.append(f"the {kind} '{title}' has no form in version {new_version}: "
                                  "its data would be lost")
            continue
        if form_id in case.reports:
            for path, message in check_form(new_form, new, case.reports[form_id]):
                notes.problems.append(f"the submitted '{title}' does not fit version "
                                      f"{new_version}: '{_label_at(new_form.fields, path)}': "
                                      f"{message}")
        if old_form is not None:
            notes.forms += _form_changes(old_form, new_form)


def _form_changes(old: Form, new: Form) -> list[str]:
    old_ids = {f.id: f for f in old.fields}
    new_ids = {f.id: f for f in new.fields}
    out = [f"'{new.title}': new field '{f.label}'" for i, f in new_ids.items() if i not in old_ids]
    out += [f"'{new.title}': field '{f.label}' removed" for i, f in old_ids.items()
            if i not in new_ids]
    out += [f"'{new.title}': field '{f.label}' changed" for i, f in new_ids.items()
            if i in old_ids and old_ids[i] != f]
    return out


def _rules(old: Bundle, new: Bundle, case: CaseFacts, new_version: int,
           notes: _Notes) -> None:
    for outcome in case.open_outcomes:
        if outcome.rule is None or new.rule(outcome.rule) is not None:
            continue
        if outcome.kind == "approval":
            notes.problems.append(
                f"the approval '{outcome.label}' is pending and its rule '{outcome.rule}' is "
                f"not in version {new_version}: decide it first")
        else:
            what = "exception" if outcome.kind == "exception" else "invoicing block"
            notes.rules.append(f"the {what} '{outcome.label}' closes: its rule "
                               f"'{outcome.rule}' is not in version {new_version}")
    before = {r.id: r for r in old.rules if r.applies_to(case.case_type)}
    after = {r.id: r for r in new.rules if r.applies_to(case.case_type)}
    notes.rules += [f"rule '{i}' is new" for i in after if i not in before]
    notes.rules += [f"rule '{i}' is gone" for i in before if i not in after]
    notes.rules += [f"rule '{i}' changed" for i, r in after.items()
                    if i in before and _rule_key(before[i]) != _rule_key(r)]


def _rule_key(rule: Any) -> tuple[Any, ...]:
    return (rule.on, rule.when, rule.then, rule.case_types, rule.per)


def _invoiced(old: Bundle, new: Bundle, types: tuple[CaseType, CaseType], case: CaseFacts,
              new_version: int, notes: _Notes, price: Pricer) -> None:
    """An invoiced case moves only when what was invoiced stays exactly the same."""
    old_type, new_type = types
    numbers = ", ".join(n for ns in case.invoiced_by.values() for n in ns)
    why: list[str] = []
    if old.currency != new.currency:
        why.append(f"the currency changes from {old.currency} to {new.currency}")
    if old.seller != new.seller:
        why.append("the seller's details change")
    for connector_id in case.invoiced_by:
        before, after = old.connector(connector_id), new.connector(connector_id)
        if after is None:
            why.append(f"the connector '{connector_id}' that invoiced it is gone")
        elif before is None or before.format != after.format:
            why.append(f"the connector '{connector_id}' that invoiced it changes its format")
    why += _line_changes(price(old, old_type, case.reports), price(new, new_type, case.reports))
    if why:
        notes.problems.append(f"already invoiced ({numbers}); version {new_version} would "
                              f"change what was invoiced: {'; '.join(why)}. Correct it on "
                              "its own version instead (a credit note and a new invoice)")


def _line_changes(before: Sequence[Mapping[str, str]],
                  after: Sequence[Mapping[str, str]]) -> list[str]:
    if list(before) == list(after):
        return []
    gone = [line for line in before if line not in after]
    new = [line for line in after if line not in before]
    out = [f"line '{line['description']}' {line['quantity']} x {line['unit_price']} becomes "
           + ("; ".join(f"{n['quantity']} x {n['unit_price']}" for n in new
                        if n["description"] == line["description"]) or "nothing")
           for line in gone]
    out += [f"new line '{n['description']}'" for n in new
            if all(n["description"] != line["description"] for line in gone)]
    return out or ["the invoice lines change order"]


def _label(field_def: Field | None, fallback: str) -> str:
    return field_def.label if field_def is not None else fallback


def _label_at(fields: Sequence[Field], path: str) -> str:
    head = path.strip("/").split("/")[0]
    return _label(next((f for f in fields if f.id == head), None), head or "the form")


def request_problems(new: Bundle, old_bundles: Sequence[Bundle], request: MigrationRequest,
                     new_version: int) -> list[dict[str, str]]:
    """Why the request itself is wrong (a 422), as ``[{path, message}]``; [] when fine."""
    errors: list[dict[str, str]] = []
    new_states = {s.id for ct in new.case_types for s in ct.lifecycle.states}
    old_states = {s.id for b in old_bundles for ct in b.case_types for s in ct.lifecycle.states}
    for old_id, new_id in request.state_map.items():
        if new_id not in new_states:
            errors.append({"path": pointer("state_map", old_id),
                           "message": f"'{new_id}' is not a state in version {new_version}; "
                                      f"its states are: {', '.join(sorted(new_states))}"})
        if old_bundles and old_id not in old_states:
            errors.append({"path": pointer("state_map", old_id),
                           "message": f"'{old_id}' is not a state of any version the cases are "
                                      f"on; those states are: {', '.join(sorted(old_states))}"})
    new_fields = {f.id for ct in new.case_types for f in ct.fields}
    for old_id, new_field in request.field_map.items():
        if new_field is not None and new_field not in new_fields:
            errors.append({"path": pointer("field_map", old_id),
                           "message": f"'{new_field}' is not a case field in version "
                                      f"{new_version}; its case fields are: "
                                      f"{', '.join(sorted(new_fields)) or 'none'}"})
    return errors
