"""Case type and lifecycle checks: states, transitions, roles, requirements."""

from __future__ import annotations

from typing import Any

from . import vocabulary as v
from .check_fields import check_field_list
from .context import Context, report_duplicates
from .schema_check import suggest


def check_case_types(ctx: Context) -> None:
    raws = ctx.data["case_types"]
    report_duplicates(ctx.out, ((c["id"], f"/case_types/{i}/id") for i, c in enumerate(raws)),
                      "case type id")
    report_duplicates(ctx.out, ((c.number_prefix, f"/case_types/{i}/number_prefix")
                                for i, c in enumerate(ctx.bundle.case_types)),
                      "case number prefix")
    forms = ctx.form_ids()
    for i, raw in enumerate(raws):
        path = f"/case_types/{i}"
        check_field_list(ctx, [(f"{path}/fields/{k}", f)
                               for k, f in enumerate(raw.get("fields", []))], case_level=True)
        for k, form_id in enumerate(raw.get("forms", [])):
            if form_id not in forms:
                ctx.out.error(f"{path}/forms/{k}", f"form '{form_id}' is not defined",
                              suggest(form_id, forms) or "define it under forms:")
        _check_lifecycle(ctx, path, raw)


def _check_lifecycle(ctx: Context, path: str, raw: dict[str, Any]) -> None:
    life = raw["lifecycle"]
    lpath = f"{path}/lifecycle"
    states = [s["id"] for s in life["states"]]
    report_duplicates(ctx.out, ((s, f"{lpath}/states/{k}/id") for k, s in enumerate(states)),
                      "state id")
    report_duplicates(ctx.out, ((t["id"], f"{lpath}/transitions/{k}/id")
                                for k, t in enumerate(life["transitions"])), "transition id")
    if life["initial"] not in states:
        ctx.out.error(f"{lpath}/initial", f"initial state '{life['initial']}' is not a state",
                      suggest(life["initial"], states) or "name one of the states")
    for k, state in enumerate(life["states"]):
        owner = state.get("owner")
        if owner is not None and owner not in v.STATE_OWNERS:
            ctx.out.error(f"{lpath}/states/{k}/owner", f"unknown owner '{owner}'",
                          suggest(owner, v.STATE_OWNERS)
                          or f"one of {', '.join(v.STATE_OWNERS)}")
    for k, transition in enumerate(life["transitions"]):
        _check_transition(ctx, f"{lpath}/transitions/{k}", transition, states, raw)
    _check_graph(ctx, lpath, life, states)


def _check_transition(ctx: Context, path: str, raw: dict[str, Any], states: list[str],
                      case_type: dict[str, Any]) -> None:
    sources = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
    for k, state in enumerate(sources):
        where = f"{path}/from/{k}" if isinstance(raw["from"], list) else f"{path}/from"
        if state not in states:
            ctx.out.error(where, f"transition '{raw['id']}' starts from unknown state '{state}'",
                          suggest(state, states))
    if raw["to"] not in states:
        ctx.out.error(f"{path}/to", f"transition '{raw['id']}' goes to unknown state "
                      f"'{raw['to']}'", suggest(raw["to"], states))
    allowed = (*v.ROLES, v.SYSTEM_ROLE)
    for k, role in enumerate(raw["roles"]):
        if role not in allowed:
            ctx.out.error(f"{path}/roles/{k}", f"unknown role '{role}'",
                          suggest(role, allowed) or f"roles are {', '.join(allowed)}")
    field_ids = [f["id"] for f in case_type.get("fields", [])]
    for k, attribute in enumerate(raw.get("requires", [])):
        if not _known_attribute(attribute, field_ids):
            ctx.out.error(f"{path}/requires/{k}", f"unknown case attribute '{attribute}'",
                          suggest(attribute, [*v.CASE_ATTRIBUTES, *field_ids])
                          or "use assignee, scheduled_start, scheduled_end, site, "
                             "customer.<key> or a case field id")
    forms = case_type.get("forms", [])
    for k, form_id in enumerate(raw.get("requires_forms", [])):
        if form_id not in forms:
            known = form_id in ctx.form_ids()
            ctx.out.error(f"{path}/requires_forms/{k}",
                          f"form '{form_id}' is not one of this case type's forms" if known
                          else f"form '{form_id}' is not defined",
                          f"add '{form_id}' to the case type's forms" if known
                          else suggest(form_id, forms))


def _known_attribute(attribute: str, field_ids: list[str]) -> bool:
    if attribute in v.CASE_ATTRIBUTES or attribute in field_ids:
        return True
    head, _, key = attribute.partition(".")
    return head == "customer" and key in v.CUSTOMER_KEYS


def _check_graph(ctx: Context, path: str, life: dict[str, Any], states: list[str]) -> None:
    edges: dict[str, set[str]] = {s: set() for s in states}
    for transition in life["transitions"]:
        sources = transition["from"] if isinstance(transition["from"], list) \
            else [transition["from"]]
        for source in sources:
            edges.setdefault(source, set()).add(transition["to"])
    reached: set[str] = set()
    todo = [life["initial"]] if life["initial"] in states else []
    while todo:
        state = todo.pop()
        if state not in reached:
            reached.add(state)
            todo.extend(edges.get(state, ()))
    for k, state in enumerate(life["states"]):
        spath = f"{path}/states/{k}"
        if reached and state["id"] not in reached:
            ctx.out.error(f"{spath}/id", f"state '{state['id']}' cannot be reached from the "
                          f"initial state '{life['initial']}'",
                          "add a transition into it, or remove it")
        if not state.get("final") and not edges.get(state["id"]):
            ctx.out.error(f"{spath}/id", f"state '{state['id']}' is not final but has no "
                          "transition out of it", "add a transition, or mark it final: true")
        if state.get("final") and edges.get(state["id"]):
            ctx.out.warn(f"{spath}/id", f"final state '{state['id']}' has transitions out of it")
    if not any(s.get("final") for s in life["states"]):
        ctx.out.warn(f"{path}/states", "no state is final: cases can never be closed")
