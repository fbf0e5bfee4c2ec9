"""Golden test checks: shape and references only (the rules package runs them)."""

from __future__ import annotations

from typing import Any

from . import vocabulary as v
from .check_rules import check_recipient, check_role
from .context import Context, report_duplicates
from .schema_check import suggest

#: what a test feeds the rules: a report, a lifecycle step, or a move (the booking's
#: window and technician before it, for the ``reschedule`` rules)
TEST_INPUTS = ("submit", "transition", "previous")


def check_tests(ctx: Context) -> None:
    tests = ctx.data.get("tests", [])
    report_duplicates(ctx.out, ((t["name"], f"/tests/{i}/name") for i, t in enumerate(tests)),
                      "test name")
    rules = [r.id for r in ctx.bundle.rules]
    codes = {a.params["code"] for r in ctx.bundle.rules for a in r.then
             if a.kind == "raise_exception"}
    for i, raw in enumerate(tests):
        path = f"/tests/{i}"
        case_type = ctx.bundle.case_type(raw["case"]["case_type"])
        if case_type is None:
            ctx.out.error(f"{path}/case/case_type", f"unknown case type "
                          f"'{raw['case']['case_type']}'",
                          suggest(raw["case"]["case_type"], ctx.case_type_ids()))
            continue
        states = [s.id for s in case_type.lifecycle.states]
        if raw["case"]["status"] not in states:
            ctx.out.error(f"{path}/case/status", f"'{raw['case']['status']}' is not a state of "
                          f"case type '{case_type.id}'", suggest(raw["case"]["status"], states))
        for key in raw["case"].get("fields", {}):
            if case_type.field(key) is None:
                ctx.out.error(f"{path}/case/fields/{key}", f"unknown case field '{key}'",
                              suggest(key, [f.id for f in case_type.fields]), at_key=True)
        _check_trigger(ctx, path, raw, case_type.id)
        if "role" in raw.get("actor", {}) and raw["actor"]["role"] != v.SYSTEM_ROLE:
            check_role(ctx, f"{path}/actor/role", raw["actor"]["role"])
        _check_expect(ctx, f"{path}/expect", raw["expect"], rules, codes, states)


def _check_trigger(ctx: Context, path: str, raw: dict[str, Any], case_type_id: str) -> None:
    given = [key for key in TEST_INPUTS if key in raw]
    if len(given) != 1:
        ctx.out.error(path, "a test needs exactly one of 'submit', 'transition' or 'previous'",
                      "submit: {form, data} runs the submit rules; previous: {scheduled_start, "
                      "scheduled_end, assignee} runs the reschedule rules")
        return
    case_type = ctx.bundle.case_type(case_type_id)
    assert case_type is not None
    if "previous" in raw:
        return
    if "transition" in raw:
        if case_type.lifecycle.transition(raw["transition"]) is None:
            ctx.out.error(f"{path}/transition", f"unknown transition '{raw['transition']}'",
                          suggest(raw["transition"],
                                  [t.id for t in case_type.lifecycle.transitions]))
        return
    form_id = raw["submit"]["form"]
    form = ctx.bundle.form(form_id)
    if form is None or form_id not in case_type.forms:
        ctx.out.error(f"{path}/submit/form", f"form '{form_id}' is not a form of case type "
                      f"'{case_type_id}'", suggest(form_id, case_type.forms))
        return
    known = [f.id for f in form.fields]
    for key in raw["submit"]["data"]:
        if key not in known:
            ctx.out.error(f"{path}/submit/data/{key}", f"form '{form_id}' has no field '{key}'",
                          suggest(key, known), at_key=True)


def _check_expect(ctx: Context, path: str, expect: dict[str, Any], rules: list[str],
                  codes: set[str], states: list[str]) -> None:
    for key in ("fired", "not_fired"):
        for k, rule in enumerate(expect.get(key, [])):
            if rule not in rules:
                ctx.out.error(f"{path}/{key}/{k}", f"unknown rule '{rule}'", suggest(rule, rules))
    both = set(expect.get("fired", [])) & set(expect.get("not_fired", []))
    for rule in sorted(both):
        ctx.out.error(f"{path}/not_fired", f"rule '{rule}' is expected both to fire and not to")
    for k, code in enumerate(expect.get("exceptions", [])):
        if code not in codes:
            ctx.out.error(f"{path}/exceptions/{k}", f"no rule raises exception '{code}'",
                          suggest(code, codes))
    for k, template in enumerate(expect.get("notified", [])):
        if template not in ctx.template_ids():
            ctx.out.error(f"{path}/notified/{k}", f"unknown notification template '{template}'",
                          suggest(template, ctx.template_ids()))
    for k, approver in enumerate(expect.get("approvals", [])):
        check_recipient(ctx, f"{path}/approvals/{k}", approver)
    if "status" in expect and expect["status"] not in states:
        ctx.out.error(f"{path}/status", f"'{expect['status']}' is not a state of this case "
                      "type", suggest(expect["status"], states))
