"""``validate_submission``: the API path, and the rules both paths share.

Order: blank values are dropped (an emptied input means "no answer"), unknown
fields are errors, hidden fields are dropped unvalidated, shown fields that are
required but missing are errors (final) or warnings (draft), and everything left
is checked with the compiled schema. A draft may be incomplete, but a value that
is present must be valid: storing "abc" as a quantity would only move the error
to the moment of submitting, when the technician has left the site.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workorders.definitions.model import Bundle, Form
from workorders.definitions.model_catalog import Catalog

from . import messages as msg
from .conditions import is_required, visible_fields
from .errors import FieldError, SubmissionCheck, pointer
from .schema import compile_form_schema
from .validator import make_validator, translate
from .values import is_blank, normalize

_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """A form's final schema and its validator, built once per form and bundle."""

    schema: dict[str, Any]
    validator: Any
    order: dict[str, int]


#: keyed by what the schema reads (form, catalog, currency), never the whole bundle:
#: holding bundles kept every validated bundle (rules and all) alive until 256 were
_by_identity: dict[tuple[int, int, str], tuple[Form, Catalog, CompiledForm]] = {}
_by_content: OrderedDict[str, CompiledForm] = OrderedDict()


def fingerprint(form: Form, bundle: Bundle) -> str:
    """Content hash of what the schema depends on: the form, catalog and currency."""
    text = repr((form, bundle.catalog.articles, bundle.catalog.labor, bundle.currency))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compiled(form: Form, bundle: Bundle) -> CompiledForm:
    """Cached by identity first (models are immutable and shared per process), then by
    content, so a bundle loaded twice does not compile its forms twice."""
    key = (id(form), id(bundle.catalog), bundle.currency)
    hit = _by_identity.get(key)
    if hit is not None and hit[0] is form and hit[1] is bundle.catalog:
        return hit[2]
    digest = fingerprint(form, bundle)
    result = _by_content.get(digest)
    if result is None:
        schema = compile_form_schema(form, bundle, draft=False)
        result = CompiledForm(schema, make_validator(schema),
                              {f.id: i for i, f in enumerate(form.fields)})
        _by_content[digest] = result
        while len(_by_content) > _CACHE_SIZE:
            _by_content.popitem(last=False)
    if len(_by_identity) >= _CACHE_SIZE:
        _by_identity.clear()
    _by_identity[key] = (form, bundle.catalog, result)
    return result


def ordered(found: Iterable[FieldError], order: dict[str, int]) -> list[FieldError]:
    """Without duplicates, in the form's field order (then by path)."""
    def key(e: FieldError) -> tuple[int, str]:
        head = e.path.split("/")[1] if e.path.count("/") else ""
        return order.get(head, len(order)), e.path
    return sorted(set(found), key=key)


def missing_fields(form: Form, shown: set[str], cleaned: dict[str, Any]) -> list[FieldError]:
    """Shown fields that are required (now) and have no value."""
    return [FieldError(pointer(f.id), msg.REQUIRED) for f in form.fields
            if f.id in shown and f.id not in cleaned and is_required(f, cleaned)]


def _known(value: Any, schema: dict[str, Any], base: str,
           found: list[FieldError]) -> Any:
    """``value`` without the keys ``schema`` does not define, each reported."""
    if not isinstance(value, dict):
        return value
    props, hints = schema.get("properties", {}), schema.get("x-hints", {})
    for key in value:
        if key not in props:
            found.append(FieldError(f"{base}{pointer(key)}", hints.get(key, msg.UNKNOWN_FIELD)))
    return {k: v for k, v in value.items() if k in props}


def split_unknown(schema: dict[str, Any], data: dict[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, list[FieldError]]]:
    """Data without unknown keys (top level, objects, line entries), and the errors
    for them by field id ("" for top-level keys). Unknown keys never make a value
    present: the browser, which only has inputs for known keys, cannot see them."""
    found: dict[str, list[FieldError]] = {"": []}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        prop = schema["properties"].get(key)
        if prop is None:
            found[""].append(FieldError(pointer(key), msg.UNKNOWN_FIELD))
            continue
        errors = found.setdefault(key, [])
        if prop.get("type") == "array" and isinstance(value, list) and "properties" in prop[
                "items"]:
            value = [_known(v, prop["items"], f"{pointer(key)}/{i}", errors)
                     for i, v in enumerate(value)]
        elif prop.get("type") == "object":
            value = _known(value, prop, pointer(key), errors)
        clean[key] = value
    return {k: v for k, v in clean.items() if not is_blank(v)}, found


def validate_submission(form: Form, bundle: Bundle, data: Any, *, draft: bool) -> SubmissionCheck:
    """Check API submission ``data`` for ``form``; never raises on bad input."""
    if not isinstance(data, dict):
        return SubmissionCheck([FieldError("", msg.NOT_AN_OBJECT)], [], {})
    form_c = compiled(form, bundle)
    data, unknown = split_unknown(form_c.schema, normalize(data))
    shown = visible_fields(form, data)
    errors = [e for key, found in unknown.items() if key == "" or key in shown for e in found]
    cleaned = {f.id: data[f.id] for f in form.fields if f.id in shown and f.id in data}
    missing = missing_fields(form, shown, cleaned)
    for error in form_c.validator.iter_errors(cleaned):
        for found_error, is_missing in translate(error):
            (missing if is_missing else errors).append(found_error)
    if not draft:
        errors += missing
        missing = []
    return SubmissionCheck(ordered(errors, form_c.order), ordered(missing, form_c.order),
                           cleaned)
