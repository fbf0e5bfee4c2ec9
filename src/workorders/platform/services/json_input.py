"""Checking a JSON document against a JSON Schema, for every way data comes in
(API bodies, imported spreadsheet rows): one wording and one pointer per error,
raised as a domain error so services need no HTTP vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from workorders.definitions.problems import pointer
from workorders.errors import ValidationFailed


def validate(data: Any, schema: Mapping[str, Any]) -> None:
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationFailed("the request has invalid fields",
                               [{"path": pointer(*e.absolute_path), "message": e.message}
                                for e in errors])
