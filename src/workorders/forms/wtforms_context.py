"""What the technician page's template needs to draw a generated form on a phone.

The template stays generic: each field arrives with its control, HTML attributes
(input types and ``inputmode`` that bring up the right keyboard, ``capture`` for
the camera), ``data-`` attributes the page's script evaluates for
``visible_if``/``required_if``, its current text, and its errors and warnings by
JSON pointer. Line items come with an entry template (``__index__`` in names) so
the script can add rows offline. Catalog choices travel once per page.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from workorders.definitions.model import Bundle, Field, FieldCondition, Form

from .errors import pointer
from .formdata import LINE_TYPES, OBJECT_TYPES
from .values import plain
from .words import with_place
from .wtforms_data import attr, form_errors_to_paths

if TYPE_CHECKING:
    from .wtforms_build import GeneratedForm

#: the smallest tap target the page's CSS should give controls (WCAG 2.5.5)
TOUCH_TARGET_PX = 48
_INPUTS: dict[str, dict[str, str]] = {
    "text": {"type": "text"}, "integer": {"type": "number", "inputmode": "numeric", "step": "1"},
    "decimal": {"type": "number", "inputmode": "decimal", "step": "any"},
    "money": {"type": "number", "inputmode": "decimal", "step": "0.01"},
    "date": {"type": "date"}, "datetime": {"type": "datetime-local", "data-append-offset": "true"},
}
_KEYS: dict[str, dict[str, str]] = {
    "date": _INPUTS["date"], "hours": _INPUTS["decimal"], "quantity": _INPUTS["decimal"],
    "unit_price": _INPUTS["money"], "start": {"type": "time"}, "end": {"type": "time"},
    "technician": {"type": "email", "inputmode": "email"},
    "billable": {"type": "checkbox", "value": "false", "label": "Not billable"},
    "signed_at": _INPUTS["datetime"], "timestamp": _INPUTS["datetime"],
    "image": {"type": "hidden"}, "labor": {"control": "select"},
    "decision": {"control": "radio"}, "article": {"list": "wo-articles"},
}


def _condition(cond: FieldCondition | None) -> str | None:
    if cond is None:
        return None
    value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
    return json.dumps({"field": cond.field, "op": cond.op, "value": value})


def _control(field: Field) -> str:
    if field.type == "choice":
        return "checkboxes" if field.multiple else "select"
    return {"textarea": "textarea", "boolean": "radio", "photos": "photos",
            "signature": "signature", "approval": "approval"}.get(
        field.type, "lines" if field.type in LINE_TYPES else "input")


def _options(field: Field, bundle: Bundle) -> list[dict[str, str]]:
    if field.type == "choice":
        return [{"value": o.value, "label": o.label} for o in field.options]
    if field.type == "boolean":
        return [{"value": "true", "label": "Yes"}, {"value": "false", "label": "No"}]
    return []


class _Builder:
    def __init__(self, bundle: Bundle, instance: GeneratedForm) -> None:
        self.bundle, self.instance = bundle, instance
        self.errors: dict[str, list[str]] = defaultdict(list)
        for error in form_errors_to_paths(instance):
            self.errors[error.path].append(error.message)
        self.warnings: dict[str, list[str]] = defaultdict(list)
        for warning in instance.warnings:
            self.warnings[warning.path].append(warning.message)

    def leaf(self, key: str, name: str, path: str, value: Any, field: Field) -> dict[str, Any]:
        attrs = dict(_KEYS.get(key, {"type": "text"}))
        control = attrs.pop("control", "input")
        options: list[dict[str, str]] = []
        if key == "labor":
            codes = field.labor or tuple(lab.code for lab in self.bundle.catalog.labor)
            options = [{"value": c, "label": lab.name if (lab := self.bundle.labor(c)) else c}
                       for c in codes]
        elif key == "decision":
            options = [{"value": "approved", "label": "Approve"},
                       {"value": "rejected", "label": "Reject"}]
        return {"key": key, "name": name, "path": path, "control": control, "attrs": attrs,
                "value": value or "", "options": options, "errors": self.errors.get(path, []),
                "warnings": self.warnings.get(path, [])}

    def entry(self, field: Field, keys: list[str], prefix: str, path: str,
              sub: Any) -> list[dict[str, Any]]:
        return [self.leaf(k, f"{prefix}-{k}", f"{path}/{k}",
                          sub[k].data if sub is not None else None, field) for k in keys]

    def field(self, field: Field) -> dict[str, Any]:
        wt = self.instance._fields[attr(field.id)]
        path = pointer(field.id)
        out: dict[str, Any] = {
            "id": field.id, "name": field.id, "path": path, "label": field.label,
            "help": field.help, "type": field.type, "control": _control(field),
            "required": field.required, "placeholder": field.placeholder,
            "data": {k: v for k, v in (("data-visible-if", _condition(field.visible_if)),
                                       ("data-required-if", _condition(field.required_if)))
                     if v is not None},
            "attrs": dict(_INPUTS.get(field.type, {})), "options": _options(field, self.bundle),
            "errors": self.errors.get(path, []), "warnings": self.warnings.get(path, []),
            "min": None if field.min is None else plain(field.min),
            "max": None if field.max is None else plain(field.max),
        }
        if field.max_length:
            out["attrs"]["maxlength"] = str(field.max_length)
        if field.type in LINE_TYPES:
            keys = list(self.instance.schema["properties"][field.id]["items"]["properties"])
            out["entries"] = [self.entry(field, keys, e.name, f"{path}/{i}", e.form)
                              for i, e in enumerate(wt.entries)]
            out["entry_template"] = self.entry(field, keys, f"{field.id}-__index__",
                                               f"{path}/__index__", None)
        elif field.type in OBJECT_TYPES:
            keys = list(self.instance.schema["properties"][field.id]["properties"])
            out["parts"] = self.entry(field, keys, field.id, path, wt.form)
        elif field.type == "photos":
            out["attrs"] = {"type": "file", "accept": "image/*", "capture": "environment",
                            "multiple": "multiple"}
            out["value"] = [e.data for e in wt.entries]
            out["entries"] = [{"name": e.name, "value": e.data or "", "path": f"{path}/{i}",
                               "errors": self.errors.get(f"{path}/{i}", [])}
                              for i, e in enumerate(wt.entries)]
        else:
            out["value"] = wt.data if wt.data is not None else ("" if field.type != "choice"
                                                               or not field.multiple else [])
        return out


def template_context(form: Form, bundle: Bundle, form_instance: GeneratedForm) -> dict[str, Any]:
    """Sections with their fields' render data, the catalog, and page-level errors."""
    build = _Builder(bundle, form_instance)
    fields_paths = {pointer(f.id) for f in form.fields}
    return {
        "form": {"id": form.id, "title": form.title, "description": form.description},
        "draft": form_instance.draft, "touch_target_px": TOUCH_TARGET_PX,
        "sections": [{"title": s.title, "description": s.description,
                      "fields": [build.field(f) for f in s.fields]} for s in form.sections],
        "catalog": {
            "labor": [{"code": lab.code, "name": lab.name, "unit": lab.unit,
                       "price": plain(lab.price)} for lab in bundle.catalog.labor],
            "articles": [{"number": a.number, "name": a.name, "unit": a.unit,
                          "price": plain(a.price)} for a in bundle.catalog.articles]},
        # shown above the form, away from any input: each says where ("Colour — ...")
        "form_errors": [with_place(p, m, form) for p, ms in build.errors.items()
                        if not any(p == fp or p.startswith(fp + "/") for fp in fields_paths)
                        for m in ms],
    }
