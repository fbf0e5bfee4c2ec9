"""Form checks: ids, fields, use by case types, clashing field types."""

from __future__ import annotations

from .check_fields import check_field_list
from .context import Context, report_duplicates


def check_forms(ctx: Context) -> None:
    forms = ctx.data.get("forms", [])
    report_duplicates(ctx.out, ((f["id"], f"/forms/{i}/id") for i, f in enumerate(forms)),
                      "form id")
    used = {fid for c in ctx.bundle.case_types for fid in c.forms}
    for i, raw in enumerate(forms):
        fields = [(f"/forms/{i}/sections/{s}/fields/{k}", field)
                  for s, section in enumerate(raw["sections"])
                  for k, field in enumerate(section["fields"])]
        check_field_list(ctx, fields)
        if raw["id"] not in used:
            ctx.out.warn(f"/forms/{i}/id", f"form '{raw['id']}' is not used by any case type",
                         "add it to a case type's forms, or remove it")
    _check_clashes(ctx)


def _check_clashes(ctx: Context) -> None:
    """Rules see ``form.<id>`` across a case type's forms: one id, one type."""
    for c, case_type in enumerate(ctx.bundle.case_types):
        seen: dict[str, tuple[str, str]] = {}
        for form in ctx.bundle.forms_of(case_type.id):
            for field in form.fields:
                first = seen.setdefault(field.id, (form.id, field.type))
                if first[1] != field.type:
                    ctx.out.warn(f"/case_types/{c}/forms",
                                 f"field '{field.id}' is {first[1]} in form '{first[0]}' but "
                                 f"{field.type} in form '{form.id}'",
                                 "rules on form." + field.id + " are checked against the "
                                 "first; rename one of them")
