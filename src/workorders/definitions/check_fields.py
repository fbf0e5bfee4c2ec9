"""Checks of one list of fields (a form's, or a case type's case-level fields)."""

from __future__ import annotations

from typing import Any

from . import vocabulary as v
from .codelists import to_decimal
from .context import Context, report_duplicates
from .regex_safety import python_pattern_problem
from .schema_check import suggest

#: keys that only mean something for some field types (warned about elsewhere)
_ONLY_FOR: dict[str, tuple[str, ...]] = {
    "options": ("choice",), "multiple": ("choice",), "labor": ("time_entries",),
    "catalog": ("material_lines",), "allow_free_text": ("material_lines",),
    "price_override": ("material_lines",), "pattern": ("text", "textarea"),
    "max_length": ("text", "textarea"),
    "min": (*v.NUMERIC_FIELD_TYPES, *v.COUNTED_FIELD_TYPES),
    "max": (*v.NUMERIC_FIELD_TYPES, *v.COUNTED_FIELD_TYPES),
}


def check_field_list(ctx: Context, fields: list[tuple[str, dict[str, Any]]], *,
                     case_level: bool = False) -> None:
    """``fields`` are (pointer, raw field) pairs that share one id namespace."""
    report_duplicates(ctx.out, ((f["id"], f"{p}/id") for p, f in fields), "field id")
    ids = [f["id"] for _, f in fields]
    for path, raw in fields:
        if case_level and raw["type"] not in v.CASE_FIELD_TYPES:
            ctx.out.error(f"{path}/type", f"case fields cannot be of type '{raw['type']}'",
                          f"use one of {', '.join(v.CASE_FIELD_TYPES)}; put "
                          f"{raw['type']} in a form")
        for key in ("visible_if", "required_if"):
            if key in raw:
                _check_condition(ctx, f"{path}/{key}", raw, raw[key], ids)
        _check_field(ctx, path, raw)


def _check_condition(ctx: Context, path: str, raw: dict[str, Any], cond: dict[str, Any],
                     ids: list[str]) -> None:
    target = cond["field"]
    if target == raw["id"]:
        ctx.out.error(f"{path}/field", f"field '{raw['id']}' cannot depend on itself",
                      "point at another field of the same form")
    elif target not in ids:
        ctx.out.error(f"{path}/field", f"unknown field '{target}' in {path.rsplit('/', 1)[1]}",
                      suggest(target, ids) or "use the id of a field in the same form")


def _check_field(ctx: Context, path: str, raw: dict[str, Any]) -> None:
    kind = raw["type"]
    for key, types in _ONLY_FOR.items():
        if key in raw and kind not in types:
            ctx.out.warn(f"{path}/{key}", f"'{key}' has no effect on a {kind} field",
                         f"it applies to {', '.join(types)} fields")
    low, high = to_decimal(raw.get("min")), to_decimal(raw.get("max"))
    if low is not None and high is not None and low > high:
        ctx.out.error(f"{path}/min", f"min ({raw['min']}) is greater than max ({raw['max']})")
    if kind in v.COUNTED_FIELD_TYPES and low is not None and low < 0:
        ctx.out.error(f"{path}/min", "a minimum count cannot be negative")
    if "pattern" in raw:
        problem = python_pattern_problem(raw["pattern"])
        if problem:
            ctx.out.error(f"{path}/pattern", problem,
                          "use a simple pattern such as ^[A-Z0-9-]{6,20}$")
    if kind == "choice":
        _check_options(ctx, path, raw)
    if kind == "time_entries":
        _check_labor(ctx, path, raw)
    if kind == "material_lines" and not ctx.bundle.catalog.articles \
            and not raw.get("allow_free_text"):
        ctx.out.error(path, f"material field '{raw['id']}' has no articles to pick from",
                      "add catalog.articles or allow_free_text: true")
    if raw.get("required") and "required_if" in raw:
        ctx.out.warn(f"{path}/required_if", "required_if has no effect on a required field")


def _check_options(ctx: Context, path: str, raw: dict[str, Any]) -> None:
    options = raw.get("options") or []
    if not options:
        ctx.out.error(path, f"choice field '{raw['id']}' has no options",
                      "add options: [first, second, ...]")
        return
    values = [o if isinstance(o, str) else o["value"] for o in options]
    report_duplicates(ctx.out, ((val, f"{path}/options/{i}") for i, val in enumerate(values)),
                      "option")
    default = raw.get("default")
    defaults = default if isinstance(default, list) else [default]
    for value in defaults:
        if value is not None and value not in values:
            ctx.out.error(f"{path}/default", f"default '{value}' is not one of the options",
                          suggest(value, values))


def _check_labor(ctx: Context, path: str, raw: dict[str, Any]) -> None:
    known = [lab.code for lab in ctx.bundle.catalog.labor]
    if not known:
        ctx.out.error(path, f"time entry field '{raw['id']}' needs labour codes in "
                      "catalog.labor", "add catalog.labor: [{code, name, unit, price, vat}]")
    for i, code in enumerate(raw.get("labor", [])):
        if code not in known:
            ctx.out.error(f"{path}/labor/{i}", f"labour code '{code}' is not in catalog.labor",
                          suggest(code, known) or f"known: {', '.join(known) or 'none'}")
