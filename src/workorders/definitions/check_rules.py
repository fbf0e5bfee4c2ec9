"""Rule checks: ids, case types, triggers, conditions, actions and their templates."""

from __future__ import annotations

import re
from typing import Any

from . import vocabulary as v
from .check_conditions import ConditionChecker
from .context import Context, report_duplicates
from .facts import is_previous
from .limits import MAX_ACTIONS_PER_RULE, MAX_REFERENCED_FACTS, MAX_RULES
from .schema_check import suggest
from .templates import TEMPLATE_EXTRAS, reads_name, template_problems

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_rules(ctx: Context) -> None:
    rules = ctx.data.get("rules", [])
    if len(rules) > MAX_RULES:
        ctx.out.error("/rules", f"the bundle has {len(rules)} rules; the limit is {MAX_RULES}")
    report_duplicates(ctx.out, ((r["id"], f"/rules/{i}/id") for i, r in enumerate(rules)),
                      "rule id")
    referenced: dict[str, set[str]] = {c: set() for c in ctx.case_type_ids()}
    for i, raw in enumerate(rules):
        path = f"/rules/{i}"
        case_types = _case_types(ctx, path, raw)
        _check_triggers(ctx, path, raw, case_types)
        if "when" in raw:
            checker = ConditionChecker(ctx, [ctx.facts(c) for c in case_types])
            checker.check(f"{path}/when", raw["when"])
            _check_previous_facts(ctx, raw, checker.first_at, case_types)
            for case_type in case_types:
                referenced[case_type] |= checker.referenced
        elif "submit" in raw.get("on", v.DEFAULT_TRIGGERS):
            ctx.out.warn(f"{path}/id", f"rule '{raw['id']}' has no conditions and fires on "
                         "every submission", "add a when: condition, or limit it with on:")
        if len(raw["then"]) > MAX_ACTIONS_PER_RULE:
            ctx.out.error(f"{path}/then", f"the rule has {len(raw['then'])} actions; the limit "
                          f"is {MAX_ACTIONS_PER_RULE}")
        for k, action in enumerate(raw["then"]):
            for kind, params in action.items():
                _check_action(ctx, f"{path}/then/{k}/{kind}", kind, params, case_types)
                _check_previous_templates(ctx, raw, f"{path}/then/{k}/{kind}", kind, params)
    for c, facts in enumerate(referenced.values()):
        if len(facts) > MAX_REFERENCED_FACTS:
            ctx.out.error(f"/case_types/{c}", f"rules reference {len(facts)} distinct facts "
                          f"of this case type; the limit is {MAX_REFERENCED_FACTS}")


def _triggers_words(raw: dict[str, Any]) -> str:
    return ", ".join(raw.get("on", v.DEFAULT_TRIGGERS))


def previous_problem(raw: dict[str, Any], what: str) -> tuple[str, str] | None:
    """Why ``what`` (a fact or a template reading ``previous``) cannot be read by
    this rule, or None: only a reschedule knows what the case had before."""
    if v.RESCHEDULE in raw.get("on", v.DEFAULT_TRIGGERS):
        return None
    return (f"{what} is only known when a rule runs on reschedule (the booking's window or "
            f"technician changed), and rule '{raw['id']}' runs on {_triggers_words(raw)}",
            "add reschedule to the rule's on:, or read the case.* fact (the value now)")


def _check_previous_facts(ctx: Context, raw: dict[str, Any], first_at: dict[str, str],
                          case_types: list[str]) -> None:
    """``previous.*`` in ``when`` of a rule that never runs on reschedule: it would
    always be missing, so the rule could never mean what it says."""
    known = {path for c in case_types for path in ctx.facts(c)}
    for fact, at in sorted(first_at.items()):
        if is_previous(fact) and fact in known:
            problem = previous_problem(raw, f"'{fact}'")
            if problem:
                ctx.out.error(at, *problem)


def _check_previous_templates(ctx: Context, raw: dict[str, Any], path: str, kind: str,
                              params: dict[str, Any]) -> None:
    """A message, reason or notification template reading ``previous`` on a rule
    that never runs on reschedule would fail to render when it fires."""
    for key in v.ACTION_TEMPLATE_KEYS.get(kind, ()):
        if isinstance(params.get(key), str) and reads_name(params[key], v.PREVIOUS):
            problem = previous_problem(raw, "the template reads 'previous', which")
            if problem:
                ctx.out.error(f"{path}/{key}", *problem)
    if kind == "notify":
        template = ctx.bundle.notifications.templates.get(str(params.get("template")))
        if template is not None and any(reads_name(text or "", v.PREVIOUS)
                                        for text in (template.subject, template.body)):
            problem = previous_problem(raw, f"notification template '{template.id}' reads "
                                            "'previous', which")
            if problem:
                ctx.out.error(f"{path}/template", *problem)


def _case_types(ctx: Context, path: str, raw: dict[str, Any]) -> list[str]:
    known = ctx.case_type_ids()
    listed = raw.get("case_types")
    if listed is None:
        return list(known)
    for k, case_type in enumerate(listed):
        if case_type not in known:
            ctx.out.error(f"{path}/case_types/{k}", f"unknown case type '{case_type}'",
                          suggest(case_type, known))
    return [c for c in listed if c in known]


def _check_triggers(ctx: Context, path: str, raw: dict[str, Any], case_types: list[str]) -> None:
    for k, trigger in enumerate(raw.get("on", [])):
        problem = trigger_problem(ctx, trigger, case_types)
        if problem:
            ctx.out.error(f"{path}/on/{k}", problem[0], problem[1])


def trigger_problem(ctx: Context, trigger: str,
                    case_types: list[str]) -> tuple[str, str | None] | None:
    """Why ``transition:x`` / ``enter:s`` names nothing in these case types, or None."""
    kind, _, name = trigger.partition(":")
    lifecycles = [ct.lifecycle for ct in ctx.bundle.case_types if ct.id in case_types]
    if trigger == "on_my_way":
        if any(life.on_my_way for life in lifecycles):
            return None
        return ("trigger 'on_my_way' never fires: none of this rule's case types has "
                "'on_my_way: true' in its lifecycle",
                "add 'on_my_way: true' to the lifecycle of the case types it is for")
    if not name:
        return None
    if kind == "transition":
        known = [t.id for life in lifecycles for t in life.transitions]
    else:
        known = [s.id for life in lifecycles for s in life.states]
    if name in known:
        return None
    what = "transition" if kind == "transition" else "state"
    return (f"unknown {what} '{name}' in trigger '{trigger}'",
            suggest(name, known) or f"the rule applies to case types {', '.join(case_types)}")


def _check_action(ctx: Context, path: str, kind: str, params: dict[str, Any],
                  case_types: list[str]) -> None:
    vocab = ctx.vocabulary(case_types, TEMPLATE_EXTRAS)
    for key in v.ACTION_TEMPLATE_KEYS.get(kind, ()):
        if isinstance(params.get(key), str):
            for message, hint in template_problems(params[key], vocab):
                ctx.out.error(f"{path}/{key}", message, hint)
    if kind in ("require_approval", "assign"):
        chosen = [k for k in ("role", "user", "customer") if k in params]
        if len(chosen) != 1:
            options = "role, user or customer" if kind == "require_approval" else "role or user"
            ctx.out.error(path, f"{kind} needs exactly one of {options}")
    if "role" in params:
        check_role(ctx, f"{path}/role", params["role"])
    if "user" in params and not EMAIL.match(params["user"]):
        ctx.out.error(f"{path}/user", f"'{params['user']}' is not an email address",
                      "users are named by their login email")
    if kind == "raise_exception" and "assign" in params:
        _check_assignee(ctx, f"{path}/assign", params["assign"])
    elif kind == "notify":
        if params["template"] not in ctx.template_ids():
            ctx.out.error(f"{path}/template", f"unknown notification template "
                          f"'{params['template']}'", suggest(params["template"],
                                                             ctx.template_ids()))
        for k, recipient in enumerate(params["to"]):
            check_recipient(ctx, f"{path}/to/{k}", recipient)
    elif kind == "set_field":
        _check_set_field(ctx, path, params, case_types)
    elif kind == "transition":
        _check_transition_action(ctx, path, params["id"], case_types)


def check_role(ctx: Context, path: str, role: str) -> None:
    if role not in v.ROLES:
        ctx.out.error(path, f"unknown role '{role}'",
                      suggest(role, v.ROLES) or f"roles are {', '.join(v.ROLES)}")


def _check_assignee(ctx: Context, path: str, assign: str) -> None:
    if assign == "assignee" or assign in v.ROLES:
        return
    if assign.startswith("user:") and EMAIL.match(assign[5:]):
        return
    ctx.out.error(path, f"cannot assign the exception to '{assign}'",
                  suggest(assign, v.ROLES) or "use a role, assignee or user:<email>")


def check_recipient(ctx: Context, path: str, recipient: str) -> None:
    kind, _, name = recipient.partition(":")
    if recipient in ("customer", "assignee"):
        return
    if kind == "role" and name:
        check_role(ctx, path, name)
    elif kind == "user" and EMAIL.match(name):
        return
    elif kind == "webhook" and name:
        hooks = ctx.bundle.notifications.webhooks
        if name not in hooks:
            ctx.out.error(path, f"unknown webhook '{name}'",
                          suggest(name, hooks) or "define it under notifications.webhooks")
    else:
        ctx.out.error(path, f"unknown recipient '{recipient}'", "use customer, assignee, "
                      "role:<role>, user:<email> or webhook:<id>")


def _check_set_field(ctx: Context, path: str, params: dict[str, Any],
                     case_types: list[str]) -> None:
    for case_type in ctx.bundle.case_types:
        if case_type.id in case_types and case_type.field(params["field"]) is None:
            ctx.out.error(f"{path}/field", f"case type '{case_type.id}' has no case field "
                          f"'{params['field']}'", suggest(params["field"],
                                                          [f.id for f in case_type.fields]))


def _check_transition_action(ctx: Context, path: str, transition_id: str,
                             case_types: list[str]) -> None:
    found = [t for ct in ctx.bundle.case_types if ct.id in case_types
             if (t := ct.lifecycle.transition(transition_id)) is not None]
    if not found:
        known = [t.id for ct in ctx.bundle.case_types if ct.id in case_types
                 for t in ct.lifecycle.transitions]
        ctx.out.error(f"{path}/id", f"unknown transition '{transition_id}'",
                      suggest(transition_id, known))
    elif any(v.SYSTEM_ROLE not in t.roles for t in found):
        ctx.out.error(f"{path}/id", f"rules act as role 'system', which may not perform "
                      f"transition '{transition_id}'", "add system to the transition's roles")
