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
from .schema import compile_form_schema
from .validate import validate_submission

__all__ = ["FieldError", "SubmissionCheck", "compile_form_schema", "validate_submission"]
