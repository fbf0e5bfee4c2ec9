"""Form definition -> a WTForms class for the browser, and its data and errors in
the API's shapes.

The generated class is a plain ``wtforms.Form`` (the platform adds CSRF through a
Flask-WTF subclass). Field attributes are ``f_<id>`` with the HTML name ``<id>``,
because a field may be called ``data`` or ``meta``, which a Form attribute of
that name would break. ``validate()`` applies the API's rules (see
:mod:`.wtforms_check`); :func:`form_errors_to_paths` reads the errors back as
JSON pointers and :func:`data_from_wtforms` gives the data as the API takes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import wtforms
from wtforms import widgets

from workorders.definitions.model import Bundle, Field, Form

from .errors import FieldError
from .formdata import LINE_TYPES, OBJECT_TYPES
from .validate import compiled
from .wtforms_check import run_checks
from .wtforms_context import template_context
from .wtforms_data import attr, data_from_wtforms, form_errors_to_paths, form_warnings
from .wtforms_fields import MultiField, RawField, entry_form_class

__all__ = ["GeneratedForm", "build_form_class", "data_from_wtforms", "form_errors_to_paths",
           "form_warnings", "template_context"]

_CLASSES: dict[tuple[int, int], tuple[Form, Bundle, type[GeneratedForm]]] = {}


class LineList(wtforms.FieldList):
    """FieldList that reads only ``<name>-<n>-...`` keys: the stock one also takes
    ``time2-0-date`` for field ``time``, mixing up two line fields."""

    def _extract_indices(self, prefix: str, formdata: Any) -> Any:
        head = prefix + self._separator
        for key in formdata:
            if key.startswith(head):
                index = key[len(head):].split(self._separator, 1)[0]
                if index.isdigit():
                    yield int(index)


class GeneratedForm(wtforms.Form):
    """Base of generated classes; ``draft`` decides if missing values are warnings."""

    definition: ClassVar[Form]
    bundle: ClassVar[Bundle]
    schema: ClassVar[dict[str, Any]]

    def __init__(self, formdata: Any = None, obj: Any = None, prefix: str = "",
                 data: dict[str, Any] | None = None, meta: Any = None, *, draft: bool = False,
                 **kwargs: Any) -> None:
        if data is not None:
            data = {attr(k) if self.definition.field(k) else k: v for k, v in data.items()}
        super().__init__(formdata, obj, prefix, data, meta, **kwargs)
        self.draft = draft
        self.warnings: list[FieldError] = []
        self.posted = [str(k) for k in formdata or ()]
        #: posted names that carry a value (a blank input means "no answer")
        self.submitted = [str(k) for k in formdata or ()
                          if any(v != "" for v in formdata.getlist(k))]

    def validate(self, extra_validators: Any = None) -> bool:
        run_checks(self)
        return not form_errors_to_paths(self)


def _unbound(field: Field, prop: dict[str, Any]) -> Any:
    common: dict[str, Any] = {"name": field.id, "description": field.help or ""}
    if field.type in LINE_TYPES:
        entry = entry_form_class(f"{field.id}_entry", prop["items"])
        return LineList(wtforms.FormField(entry), field.label, **common)
    if field.type == "photos":
        return LineList(RawField(schema=prop["items"]), field.label, **common)
    if field.type in OBJECT_TYPES:
        return wtforms.FormField(entry_form_class(f"{field.id}_object", prop), field.label,
                                 **common)
    if field.type == "choice" and field.multiple:
        default = list(field.default) if isinstance(field.default, tuple) else None
        return MultiField(field.label, schema=prop, default=default, **common)
    widget = widgets.TextArea() if field.type == "textarea" else None
    return RawField(field.label, schema=prop, default=field.default, widget=widget, **common)


def build_form_class(form: Form, bundle: Bundle) -> type[GeneratedForm]:
    """The WTForms class of ``form`` (cached per form and bundle, like the schema)."""
    key = (id(form), id(bundle))
    hit = _CLASSES.get(key)
    if hit is not None and hit[0] is form and hit[1] is bundle:
        return hit[2]
    schema = compiled(form, bundle).schema
    attrs: dict[str, Any] = {"definition": form, "bundle": bundle, "schema": schema}
    for field in form.fields:
        attrs[attr(field.id)] = _unbound(field, schema["properties"][field.id])
    made = type(f"{form.id}_form", (GeneratedForm,), attrs)
    if len(_CLASSES) >= 256:
        _CLASSES.clear()
    _CLASSES[key] = (form, bundle, made)
    return made


