"""Checking a JSON document against a JSON Schema, for every way data comes in
(API bodies, imported spreadsheet rows): one wording (the forms', with the place in
words: "Customer email — Use an email address like ...") and one pointer per error,
raised as a domain error so services need no HTTP vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from workorders.errors import ValidationFailed
from workorders.forms.validator import schema_error
from workorders.forms.words import with_place


def validate(data: Any, schema: Mapping[str, Any]) -> None:
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        found = [schema_error(e) for e in errors]
        raise ValidationFailed("the request has invalid fields",
                               [{"path": path, "message": with_place(path, message)}
                                for path, message in found])
