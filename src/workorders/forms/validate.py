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

from . import messages as msg
from .conditions import is_required, visible_fields
from .errors import FieldError, SubmissionCheck, pointer
from .schema import compile_form_schema
from .validator import make_validator, translate
from .values import normalize

_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """A form's final schema and its validator, built once per form and bundle."""

    schema: dict[str, Any]
    validator: Any
    order: dict[str, int]


_by_identity: dict[tuple[int, int], tuple[Form, Bundle, CompiledForm]] = {}
_by_content: OrderedDict[str, CompiledForm] = OrderedDict()


def fingerprint(form: Form, bundle: Bundle) -> str:
    """Content hash of what the schema depends on: the form, catalog and currency."""
    text = repr((form, bundle.catalog.articles, bundle.catalog.labor, bundle.currency))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compiled(form: Form, bundle: Bundle) -> CompiledForm:
    """Cached by identity first (models are immutable and shared per process), then by
    content, so a bundle loaded twice does not compile its forms twice."""
    key = (id(form), id(bundle))
    hit = _by_identity.get(key)
    if hit is not None and hit[0] is form and hit[1] is bundle:
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
    _by_identity[key] = (form, bundle, result)
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


def validate_submission(form: Form, bundle: Bundle, data: Any, *, draft: bool) -> SubmissionCheck:
    """Check API submission ``data`` for ``form``; never raises on bad input."""
    if not isinstance(data, dict):
        return SubmissionCheck([FieldError("", msg.NOT_AN_OBJECT)], [], {})
    form_c = compiled(form, bundle)
    data = normalize(data)
    errors = [FieldError(pointer(k), msg.UNKNOWN_FIELD) for k in data if k not in form_c.order]
    shown = visible_fields(form, data)
    cleaned = {f.id: data[f.id] for f in form.fields if f.id in shown and f.id in data}
    missing = missing_fields(form, shown, cleaned)
    for error in form_c.validator.iter_errors(cleaned):
        for found, is_missing in translate(error):
            (missing if is_missing else errors).append(found)
    if not draft:
        errors += missing
        missing = []
    return SubmissionCheck(ordered(errors, form_c.order), ordered(missing, form_c.order),
                           cleaned)
