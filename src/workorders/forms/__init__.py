"""Generated forms (pure core): form definitions -> JSON Schema, WTForms, totals.

Public API::

    compile_form_schema(form, bundle, *, draft) -> dict        # Draft 2020-12 + x- keywords
    validate_submission(form, bundle, data, *, draft) -> SubmissionCheck
    compute_totals(submissions, bundle) -> Totals              # [(form, cleaned data), ...]
    build_form_class(form, bundle) -> type[wtforms.Form]       # the browser path
    template_context(form, bundle, form_instance) -> dict
    form_errors_to_paths(form_instance) -> list[FieldError]
    form_warnings(form_instance) -> list[FieldError]
    data_from_wtforms(form_instance) -> dict                   # same shape as API data
    encode_formdata(form, data) -> FormData                    # API data -> browser fields

Knows only ``workorders.definitions``, jsonschema and WTForms: no Flask, no
database. See docs/forms.md for the field types and their rules.
"""

from __future__ import annotations

from .errors import FieldError, SubmissionCheck
from .formdata import FormData, encode_formdata
from .schema import compile_form_schema
from .totals import PricedLine, Totals, VatSubtotal, compute_totals
from .validate import validate_submission
from .wtforms_build import (
    GeneratedForm,
    build_form_class,
    data_from_wtforms,
    form_errors_to_paths,
    form_warnings,
    template_context,
)

__all__ = [
    "FieldError", "FormData", "GeneratedForm", "PricedLine", "SubmissionCheck", "Totals",
    "VatSubtotal", "build_form_class", "compile_form_schema", "compute_totals",
    "data_from_wtforms", "encode_formdata", "form_errors_to_paths", "form_warnings",
    "template_context", "validate_submission",
]
