"""JSON Schema validation with messages an admin can act on.

jsonschema's own messages quote whole instances and schema fragments; here each
error becomes one sentence about the key or value at its path, with a "did you
mean" hint from the schema's own vocabulary where a typo is the likely cause.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .problems import Collector, join, pointer
from .source import type_name

_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "text",
               "number": "a number", "integer": "a whole number", "boolean": "true or false",
               "null": "null"}


@cache
def bundle_schema() -> dict[str, Any]:
    """The shipped schema (package data ``schema/bundle.schema.json``)."""
    text = resources.files(__package__).joinpath("schema/bundle.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(bundle_schema())


def suggest(word: str, candidates: Any) -> str | None:
    """A "did you mean" hint for a likely typo, or None."""
    match = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Flatten anyOf/oneOf groups where one branch is clearly the intended one."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        kinds = {e.validator for e in error.context}
        if kinds == {"required"}:
            yield error
            return
        best = [e for e in error.context if e.validator not in ("type", "required")]
        if best and all(e.validator != "type" or len(error.context) == 1 for e in best):
            yield from (leaf for e in best for leaf in _leaves(e))
            return
    yield error


def check_schema(data: Any, out: Collector) -> int:
    """Report every schema error; returns how many were found."""
    count = 0
    for error in _validator().iter_errors(data):
        for leaf in _leaves(error):
            _report(leaf, out)
            count += 1
    return count


def _report(error: ValidationError, out: Collector) -> None:
    path = pointer(*error.absolute_path)
    kind: Any = error.validator
    schema: Any = error.schema
    value: Any = error.instance
    expected: Any = error.validator_value
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = schema.get("properties", {})
        for key in value:
            if key not in allowed:
                out.error(join(path, key), f"unknown key '{key}'", suggest(key, allowed)
                          or f"allowed keys: {', '.join(allowed)}", at_key=True)
    elif kind == "required":
        missing = [k for k in expected if k not in value]
        for key in missing:
            out.error(path, f"missing required key '{key}'")
    elif kind is None:
        # a ``false`` subschema (condition keys that exclude each other); jsonschema
        # reports it at the parent object, which is where the mix is anyway
        out.error(path, "this condition mixes keys that cannot be combined",
                  "a condition is exactly one of: fact/op/value, all, any, not, "
                  "any_item/where, all_items/where")
    elif kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_JSON_TYPES.get(n, n) for n in names)
        out.error(path, f"expected {wanted}, got {type_name(value)} {_short(value)}",
                  "put quotes around text that looks like a number or a date"
                  if "string" in names else None)
    elif kind == "enum":
        out.error(path, f"{_short(value)} is not one of: {', '.join(map(str, expected))}",
                  suggest(value, expected))
    elif kind == "const":
        out.error(path, f"must be {_short(expected)}, not {_short(value)}")
    elif kind == "pattern":
        what = schema.get("description")
        out.error(path, f"{_short(value)} is not {what}" if what
                  else f"{_short(value)} does not match the pattern {expected}")
    else:
        _report_other(error, path, out)


def _report_other(error: ValidationError, path: str, out: Collector) -> None:
    kind: Any = error.validator
    value: Any = error.instance
    expected: Any = error.validator_value
    if kind in ("anyOf", "oneOf") and error.context:
        keys = [k for e in error.context if e.validator == "required"
                for k in e.validator_value]  # type: ignore[union-attr]
        if keys and isinstance(value, dict):
            out.error(path, f"expected one of the keys {', '.join(keys)}", suggest(
                next(iter(value), ""), keys) if value else None)
            return
        out.error(path, f"{_short(value)} is not valid here: {error.context[0].message}")
    elif kind == "minItems":
        out.error(path, f"needs at least {expected} item(s)")
    elif kind == "minProperties" and expected == 2 and "field" in value:
        out.error(path, "a field condition needs 'field' and one of equals, not_equals, in, "
                        "present")
    elif kind in ("maxProperties", "minProperties"):
        out.error(path, f"must have {'at most' if kind == 'maxProperties' else 'at least'} "
                        f"{expected} key(s)",
                  "write each action as its own list item: '- notify: {...}'"
                  if kind == "maxProperties" and expected == 1 else None)
    elif kind == "minLength":
        out.error(path, "must not be empty")
    else:
        out.error(path, f"{_short(value)}: {error.message.split(' is ', 1)[-1]}"
                  if len(error.message) > 120 else error.message)
