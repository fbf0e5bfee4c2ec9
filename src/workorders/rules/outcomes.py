"""What fired rules ask for: the planned actions, rendered, in a fixed order.

Pure: the platform applies the plan in one transaction with the submission; the
golden tests compare it with their expectations. Order is deterministic: rules
in bundle order (whatever order the engine reported them in), then each rule's
actions in the order written.

Strings in actions are templates (``message``, ``reason``, a text ``value``, and
a notification's subject and body). A template that fails at run time does not
raise: that one action becomes an ``action_failed`` outcome naming the rule,
the action and the error, so the platform records an exception on the case and
keeps the submission; the rule's other actions still apply.

Defaults the format leaves open (documented in docs/rules.md): an exception's
severity is ``medium``, its assignee ``coordinator`` and its message the rule's
description, else its code; an approval's or block's reason defaults to the
rule's description, else "Rule <id>".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workorders.definitions.model import Action, Bundle, Rule
from workorders.definitions.notice_defaults import template_named
from workorders.rules.errors import TemplateRenderError
from workorders.rules.message_text import DEFAULT_TEXT, message_texts
from workorders.rules.render import render


class OutcomeKind(StrEnum):
    """Every kind of outcome a plan holds: the actions a rule may write, and
    ``action_failed`` for an action whose template could not be rendered. A str
    enum: it compares equal to, and serialises as, the action's own name."""

    RAISE_EXCEPTION = "raise_exception"
    REQUIRE_APPROVAL = "require_approval"
    BLOCK_INVOICING = "block_invoicing"
    NOTIFY = "notify"
    SET_FIELD = "set_field"
    TRANSITION = "transition"
    ASSIGN = "assign"
    ACTION_FAILED = "action_failed"


ACTION_FAILED = OutcomeKind.ACTION_FAILED
DEFAULT_SEVERITY = "medium"
DEFAULT_EXCEPTION_ASSIGNEE = "coordinator"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One planned action. ``position`` is the action's index in the rule's ``then``.

    ``params`` by kind: raise_exception {code, severity, assign, message};
    require_approval {approver ("role:x" | "user:e" | "customer"), reason};
    block_invoicing {reason}; notify {template, to, channel, subject, body};
    set_field {field, value}; transition {id}; assign {role | user};
    action_failed {action, error}.
    """

    rule: str
    position: int
    kind: OutcomeKind
    params: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "position": self.position, "kind": self.kind,
                "params": dict(self.params)}


def _text(source: Any, context: Mapping[str, Any]) -> Any:
    return render(source, context).strip() if isinstance(source, str) else source


def _default_reason(rule: Rule) -> str:
    return rule.description or f"Rule {rule.id}"


def approver(params: Mapping[str, Any]) -> str:
    """``role:<role>``, ``user:<email>`` or ``customer`` (the recipient notation)."""
    if "role" in params:
        return f"role:{params['role']}"
    if "user" in params:
        return f"user:{params['user']}"
    return "customer"


def _params(rule: Rule, action: Action, bundle: Bundle,
            context: Mapping[str, Any]) -> dict[str, Any]:
    p = action.params
    if action.kind == "raise_exception":
        message = p.get("message")
        return {"code": p["code"], "severity": p.get("severity", DEFAULT_SEVERITY),
                "assign": p.get("assign", DEFAULT_EXCEPTION_ASSIGNEE),
                "message": _text(message, context) if message is not None
                else rule.description or p["code"]}
    if action.kind in ("require_approval", "block_invoicing"):
        reason = p.get("reason")
        out = {"reason": _text(reason, context) if reason is not None else _default_reason(rule)}
        return {"approver": approver(p), **out} if action.kind == "require_approval" else out
    if action.kind == "notify":
        template = template_named(bundle, p["template"])
        if template is None:
            raise TemplateRenderError(f"unknown notification template {p['template']!r}")
        texts = message_texts(template, context)
        own = texts[DEFAULT_TEXT]
        return {"template": template.id, "to": list(p["to"]), "channel": template.channel,
                "kind": template.kind, "subject": own["subject"], "body": own["body"],
                "texts": texts}
    if action.kind == "set_field":
        return {"field": p["field"], "value": _text(p.get("value"), context)}
    if action.kind == "transition":
        return {"id": p["id"]}
    if action.kind == "assign":
        return {k: p[k] for k in ("role", "user") if k in p}
    raise TemplateRenderError(f"unknown action {action.kind!r}")


def plan_outcomes(fired: Iterable[str], bundle: Bundle,
                  context: Mapping[str, Any]) -> list[Outcome]:
    """The actions of the fired rules, rendered over ``context``, in bundle order.

    ``context`` is ``render.template_context(document, ...)``. Rule ids the bundle
    does not define are ignored (they cannot come from this bundle's rules).
    """
    wanted = set(fired)
    outcomes: list[Outcome] = []
    for rule in sorted((r for r in bundle.rules if r.id in wanted), key=lambda r: r.order):
        for position, action in enumerate(rule.then):
            try:
                params = _params(rule, action, bundle, context)
            except TemplateRenderError as exc:
                outcomes.append(Outcome(rule.id, position, ACTION_FAILED,
                                        {"action": action.kind, "error": str(exc)}))
                continue
            outcomes.append(Outcome(rule.id, position, OutcomeKind(action.kind), params))
    return outcomes


def failure_message(outcome: Outcome) -> str:
    """A sentence for an ``action_failed`` outcome (exception queue, test failures)."""
    return (f"rule {outcome.rule}: action {outcome.position + 1} "
            f"({outcome.params['action']}) failed: {outcome.params['error']}")
