"""Rules in plain words: one sentence per rule, for the admin who wrote it.

The editor's "rules" panel shows each rule as the admin would say it ("When
total hours is more than 16, on a final report of a heat pump installation →
needs approval by a coordinator"), so a condition written the wrong way round
is seen before it is published. Facts are named by the LABELS the bundle gives
them (a form field's label, a case field's label, a state's label, a choice's
option label), never by their ids alone; ops, triggers and actions have fixed
words here, one entry per op of ``definitions.conditions.OPS`` and per action
of ``definitions.vocabulary.ACTION_KINDS`` (a unit test iterates the schema's
lists, so a new op cannot go without words).

Each rule also lists the golden tests that cover it: a test covers a rule when
its ``expect`` names the rule in ``fired`` (it must fire) or ``not_fired`` (it
must not).

Pure: only the frozen bundle model; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workorders.definitions.conditions import OP_WORDS, All, AnyOf, Condition, Leaf, Not
from workorders.definitions.model import Action, Bundle, CaseType, Field, Form, Rule
from workorders.definitions.notice_defaults import template_named
from workorders.definitions.vocabulary import PREVIOUS, PREVIOUS_WORDS

#: the same comparisons on dates and date-times read as time
DATE_OP_WORDS: Mapping[str, str] = {
    "gt": "is after", "gte": "is on or after", "lt": "is before", "lte": "is on or before",
}
_TOTALS = {
    "hours": "total hours", "billable_hours": "billable hours",
    "labor_amount": "labour amount", "material_amount": "material amount",
    "net_amount": "net amount", "vat_amount": "VAT amount", "gross_amount": "gross amount",
}
_CASE = {
    "status": "the case status", "type": "the case type", "number": "the case number",
    "created_at": "the booking time", "scheduled_start": "the scheduled start",
    "scheduled_end": "the scheduled end",
}
_OTHER = {"form_id": "the form", "submission.kind": "the kind of report",
          "actor.role": "the acting role", "actor.email": "the acting person's email",
          "actor.roles": "the acting person's roles"}
_LINE_KEYS = {"labor": "labour type", "unit_price": "unit price"}
_SEVERITY = {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}
_DATE_FACTS = ("created_at", "scheduled_start", "scheduled_end")


@dataclass(frozen=True)
class CoveringTest:
    """A golden test that names a rule: ``fires`` is what it expects of it."""

    name: str
    fires: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "expects": "fires" if self.fires else "does not fire"}


@dataclass(frozen=True)
class RuleWords:
    """One rule as the panel and ``GET /definitions/{n}/rules`` show it."""

    id: str
    sentence: str
    description: str | None
    condition: str
    triggers: str
    actions: list[str]
    tests: list[CoveringTest] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "sentence": self.sentence, "description": self.description,
                "condition": self.condition, "triggers": self.triggers,
                "actions": list(self.actions), "tests": [t.to_dict() for t in self.tests]}


class _Names:
    """Labels of one rule's world: the case types it applies to and their forms."""

    def __init__(self, bundle: Bundle, rule: Rule) -> None:
        self.bundle = bundle
        self.case_types: tuple[CaseType, ...] = tuple(
            c for c in bundle.case_types if rule.applies_to(c.id))
        seen: dict[str, Form] = {}
        for case_type in self.case_types:
            for form in bundle.forms_of(case_type.id):
                seen.setdefault(form.id, form)
        self.forms: tuple[Form, ...] = tuple(seen.values())

    def form_field(self, field_id: str) -> Field | None:
        return next((f for form in self.forms if (f := form.field(field_id)) is not None), None)

    def case_field(self, field_id: str) -> Field | None:
        return next((f for c in self.case_types if (f := c.field(field_id)) is not None), None)

    def state_label(self, state_id: str) -> str:
        for case_type in self.case_types:
            state = case_type.lifecycle.state(state_id)
            if state is not None:
                return state.label
        return state_id

    def transition_label(self, transition_id: str) -> tuple[str, str | None]:
        for case_type in self.case_types:
            t = case_type.lifecycle.transition(transition_id)
            if t is not None:
                return t.label, self.state_label(t.to)
        return transition_id, None


def _quoted(text: str) -> str:
    return f"“{text}”"


def _listed(items: Sequence[str], last: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _field_name(f: Field | None, field_id: str) -> str:
    return _quoted(f.label if f is not None else field_id.replace("_", " "))


def _fact_name(fact: str, names: _Names) -> tuple[str, Field | None, str | None]:
    """(the fact in words, its field if it is one, its case attribute if it is one)."""
    if fact in _OTHER:
        return _OTHER[fact], None, fact if fact == "form_id" else None
    head, _, rest = fact.partition(".")
    if head == PREVIOUS and rest:  # a reschedule's old value: the case's words, "before"
        name, _, attribute = _fact_name(f"case.{rest}", names)
        return f"{name} {PREVIOUS_WORDS}", None, attribute
    if head == "totals":
        return _TOTALS.get(rest, rest.replace("_", " ")), None, None
    if head == "form":
        field_id, _, sub = rest.partition(".")
        f = names.form_field(field_id)
        name = _field_name(f, field_id)
        return (f"{name} {sub.replace('_', ' ').replace('.', ' ')}" if sub else name,
                None if sub else f, None)
    if head == "case":
        key, _, sub = rest.partition(".")
        if key == "fields":
            field_id, _, deeper = sub.partition(".")
            f = names.case_field(field_id)
            name = _field_name(f, field_id)
            return (f"{name} {deeper.replace('_', ' ')}" if deeper else name,
                    None if deeper else f, None)
        if key in ("customer", "site", "assignee"):
            owner = {"customer": "the customer", "site": "the site",
                     "assignee": "the assigned technician"}[key]
            words = sub.replace("_", " ").replace(".", " ")
            return (f"{owner}'s {words}" if words else owner), None, None
        return _CASE.get(key, f"the case {key.replace('_', ' ')}"), None, key
    return fact.replace("_", " ").replace(".", " "), None, None


def _value(value: Any, names: _Names, f: Field | None, attribute: str | None) -> str:
    """A compared value as people read it: a state's label, a choice's label, yes/no."""
    if isinstance(value, list | tuple):
        return _listed([_value(v, names, f, attribute) for v in value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "nothing"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if attribute == "status":
        return _quoted(names.state_label(text))
    if attribute == "form_id":
        form = names.bundle.form(text)
        return _quoted(form.title if form else text)
    if attribute == "type":
        case_type = names.bundle.case_type(text)
        return _quoted(case_type.name if case_type else text)
    if f is not None and f.options:
        option = next((o for o in f.options if o.value == text), None)
        if option is not None:
            return _quoted(option.label)
    return _quoted(text)


def _is_date(f: Field | None, attribute: str | None, value: Any) -> bool:
    return ((f is not None and f.type in ("date", "datetime")) or attribute in _DATE_FACTS)


def leaf_in_words(leaf: Leaf, names: _Names, *, line_of: str | None = None) -> str:
    """``{fact, op, value}`` as "total hours is more than 16"."""
    if line_of is not None:  # a key of one line inside any_item / all_items
        key = leaf.fact.split(".")[-1]
        subject, f, attribute = _LINE_KEYS.get(key, key.replace("_", " ")), None, None
    else:
        subject, f, attribute = _fact_name(leaf.fact, names)
    words = OP_WORDS[leaf.op]
    if leaf.op in DATE_OP_WORDS and _is_date(f, attribute, leaf.value):
        words = DATE_OP_WORDS[leaf.op]
    if leaf.op in ("present", "missing"):
        return f"{subject} {words}"
    if leaf.op == "in" and isinstance(leaf.value, list | tuple) and len(leaf.value) == 1:
        words = "is"
    if leaf.op == "not_in":
        values = [_value(v, names, f, attribute) for v in leaf.value or ()]
        return f"{subject} {words} {_listed(values, 'and')}"
    return f"{subject} {words} {_value(leaf.value, names, f, attribute)}"


def condition_in_words(cond: Condition | None, names: _Names, *,
                       line_of: str | None = None, nested: bool = False) -> str:
    """A condition tree as one clause; nested groups are bracketed so "and" and "or"
    never read ambiguously."""
    if cond is None:
        return "always"
    if isinstance(cond, Leaf):
        return leaf_in_words(cond, names, line_of=line_of)
    if isinstance(cond, All | AnyOf):
        if not cond.items:
            return "always" if isinstance(cond, All) else "never"
        parts = [condition_in_words(c, names, line_of=line_of, nested=True) for c in cond.items]
        if len(parts) == 1:
            return parts[0]
        text = _listed(parts, "and" if isinstance(cond, All) else "or")
        if isinstance(cond, AnyOf) and not nested:
            text = "either " + text
        return f"({text})" if nested else text
    if isinstance(cond, Not):
        return f"not ({condition_in_words(cond.item, names, line_of=line_of)})"
    subject, _f, _a = _fact_name(cond.fact, names)
    where = condition_in_words(cond.where, names, line_of=cond.fact)
    if cond.kind == "any_item":
        return f"{subject} has a line where {where}"
    return f"every line of {subject} has {where}"


def _form_ids(cond: Condition | None) -> set[str]:
    """The form fields a condition reads (``form.x`` and list facts of quantifiers)."""
    found: set[str] = set()

    def walk(c: Condition | None, inside: bool) -> None:
        if c is None:
            return
        if isinstance(c, Leaf):
            if not inside and c.fact.startswith("form."):
                found.add(c.fact.split(".")[1])
        elif isinstance(c, All | AnyOf):
            for item in c.items:
                walk(item, inside)
        elif isinstance(c, Not):
            walk(c.item, inside)
        else:
            if c.fact.startswith("form."):
                found.add(c.fact.split(".")[1])
            walk(c.where, True)

    walk(cond, False)
    return found


def _report_words(rule: Rule, names: _Names, kind: str) -> str:
    """"on a final Installation report": the forms whose fields the rule reads."""
    fields = _form_ids(rule.when)
    forms = [f for f in names.forms if fields and all(f.field(x) is not None for x in fields)]
    if forms:
        return f"on {kind} {_listed([_quoted(f.title) for f in forms])}"
    return f"on {kind} report"


def trigger_in_words(trigger: str, rule: Rule, names: _Names) -> str:
    """One entry of ``on:`` as a phrase ("when the case moves to “Done”")."""
    if trigger == "submit":
        return _report_words(rule, names, "a final") + " (and its corrections)"
    if trigger == "correct":
        return _report_words(rule, names, "a corrected")
    if trigger == "draft":
        return _report_words(rule, names, "a saved draft of")
    kind, _, ident = trigger.partition(":")
    if kind == "transition":
        label, target = names.transition_label(ident)
        to = f" (to {_quoted(target)})" if target else ""
        return f"when the case takes {_quoted(label)}{to}"
    return f"when the case moves to {_quoted(names.state_label(ident))}"


def triggers_in_words(rule: Rule, names: _Names) -> str:
    on = list(rule.on)
    if "submit" in on and "correct" in on:
        on.remove("correct")  # a correction runs the submit rules anyway
    phrases = [trigger_in_words(t, rule, names) for t in on]
    scope = ""
    if rule.case_types:
        scope = f", for {_listed([_quoted(c.name) for c in names.case_types])} cases"
    return _listed(phrases) + scope


def _role(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def recipient_words(to: str) -> str:
    if to == "customer":
        return "the customer"
    if to == "assignee":
        return "the assigned technician"
    kind, _, name = to.partition(":")
    if kind == "role":
        return f"every {name}"
    if kind == "webhook":
        return f"the webhook {_quoted(name)}"
    return name


def _assignee(assign: str) -> str:
    if assign == "assignee":
        return "the assigned technician"
    if assign.startswith("user:"):
        return assign[5:]
    return f"the {assign}"


def action_in_words(action: Action, bundle: Bundle, names: _Names | None = None) -> str:
    """One ``then`` entry as "→ ..." text (without the arrow)."""
    p, kind = action.params, action.kind
    if kind == "require_approval":
        if p.get("customer"):
            who = "the customer"
        elif "user" in p:
            who = str(p["user"])
        else:
            who = _role(str(p.get("role", "coordinator")))
        reason = f" ({p['reason']})" if p.get("reason") else ""
        return f"needs approval by {who}{reason}"
    if kind == "raise_exception":
        severity = _SEVERITY.get(str(p.get("severity", "medium")), str(p.get("severity")))
        who = _assignee(str(p.get("assign", "coordinator")))
        message = f": {p['message']}" if p.get("message") else ""
        return f"opens exception {p['code']} ({severity}) for {who}{message}"
    if kind == "block_invoicing":
        return f"blocks invoicing: {p.get('reason', '')}"
    if kind == "notify":
        template = template_named(bundle, str(p.get("template")))
        channel = f" {template.channel}" if template is not None else ""
        recipients = _listed([recipient_words(str(t)) for t in p.get("to") or ()], "and")
        return f"sends the {_quoted(str(p.get('template')))}{channel} message to {recipients}"
    if kind == "set_field":
        f = names.case_field(str(p["field"])) if names is not None else None
        value = _value(p.get("value"), names, f, None) if names is not None \
            else _quoted(str(p.get("value")))
        return f"sets {_field_name(f, str(p['field']))} to {value}"
    if kind == "transition":
        label, target = names.transition_label(str(p["id"])) if names is not None \
            else (str(p["id"]), None)
        to = f" (to {_quoted(target)})" if target else ""
        return f"moves the case on with {_quoted(label)}{to}"
    if kind == "assign":
        who = str(p["user"]) if "user" in p else _role(str(p.get("role")))
        return f"assigns the case to {who}"
    return f"{kind.replace('_', ' ')} {dict(p)}"


def covering_tests(bundle: Bundle, rule_id: str) -> list[CoveringTest]:
    """The golden tests whose ``expect`` says the rule fires or does not."""
    found = []
    for test in bundle.tests:
        if rule_id in (test.expect.get("fired") or ()):
            found.append(CoveringTest(test.name, True))
        elif rule_id in (test.expect.get("not_fired") or ()):
            found.append(CoveringTest(test.name, False))
    return found


def rule_in_words(rule: Rule, bundle: Bundle) -> RuleWords:
    """The rule as one sentence, with its parts and the tests that cover it."""
    names = _Names(bundle, rule)
    condition = condition_in_words(rule.when, names)
    triggers = triggers_in_words(rule, names)
    actions = [action_in_words(a, bundle, names) for a in rule.then]
    opening = "Always" if rule.when is None else f"When {condition}"
    sentence = f"{opening}, {triggers} → {'; '.join(actions)}"
    return RuleWords(rule.id, sentence, rule.description, condition, triggers, actions,
                     covering_tests(bundle, rule.id))


def rules_in_words(bundle: Bundle, ids: Iterable[str] | None = None) -> list[RuleWords]:
    """Every rule of the bundle (or those of ``ids``) in bundle order."""
    wanted = set(ids) if ids is not None else None
    return [rule_in_words(r, bundle) for r in bundle.rules if wanted is None or r.id in wanted]
