"""Refusing, at the edge, input that would crash a layer below the web.

Ids larger than an id column holds (PostgreSQL ``integer``; SQLite cannot even
bind numbers beyond 64 bits), integers beyond 64 bits anywhere in JSON, JSON
nested without end (Python's parser recurses until it fails), NUL characters
(PostgreSQL text cannot hold them) and lone surrogates (no database can encode
them) are checked once here for the API and the pages alike, so no route has
to remember them and none answers a 500 for them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from workorders.definitions.limits import INT64_MAX
from workorders.definitions.problems import pointer
from workorders.definitions.source import clean_text, text_fault
from workorders.platform.problems import ApiProblem

#: the largest id an id column holds (every table's key is a PostgreSQL integer)
MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 64


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: an id above ``MAX_ID`` names nothing, so it
    is a 404 like any unknown id instead of an overflow in the database.

    Longer numbers do not match at all; those of as many digits above it are
    refused by :func:`_check_url`, because a converter refusing them would make
    the router answer 405 when another method's rule has the same path."""

    regex = rf"\d{{1,{len(str(MAX_ID))}}}"


def id_in_text(text: str) -> int | None:
    """The id a page filter names: None when the text is no number (the filter
    is ignored), a 404 when it is larger than any id, like an unknown one."""
    if not text.isascii() or not text.isdigit():
        return None
    if len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
        raise NotFound(f"there is no such row: {text[:30]} is larger than any id")
    return int(text)


def _invalid(parts: list[Any], message: str) -> ApiProblem:
    where = (f"the field {clean_text('.'.join(str(p) for p in parts))}" if parts
             else "the body")
    return ApiProblem(422, "Invalid data", f"{where} {message}",
                      errors=[{"path": pointer(*(clean_text(str(p)) for p in parts)),
                               "message": message}])


def check_json(data: Any) -> None:
    """Depth, text and integer size of parsed JSON, without recursion: 400 when
    nested deeper than ``MAX_JSON_DEPTH``, 422 naming the path otherwise."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_JSON_DEPTH:
            raise too_deep()
        if isinstance(value, str):
            fault = text_fault(value)
            if fault:
                raise _invalid(parts, fault)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise _invalid(parts, f"is a number beyond 64 bits; use one between "
                                  f"{-INT64_MAX - 1} and {INT64_MAX}")
        elif isinstance(value, dict):
            for key, item in value.items():
                fault = text_fault(key)
                if fault:
                    raise _invalid([*parts, key], "is a key that " + fault)
                stack.append((item, [*parts, key]))
        elif isinstance(value, list):
            stack.extend((item, [*parts, i]) for i, item in enumerate(value))


def too_deep() -> ApiProblem:
    return ApiProblem(400, "Malformed JSON",
                      f"the body is nested deeper than {MAX_JSON_DEPTH} levels")


def parse_json(raw: bytes) -> Any:
    """The body's JSON (decimals kept as text), checked by :func:`check_json`."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=str, parse_constant=_no_constant)
    except RecursionError:
        raise too_deep() from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiProblem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from exc
    check_json(data)
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _refuse_text(where: str, value: str) -> None:
    fault = text_fault(value)
    if fault:
        raise ApiProblem(400, "Bad text", f"{where} {fault}")


class GuardedRequest(Request):
    """Form fields and file names are checked whenever the body is parsed, so
    every page (``/login`` included) and multipart upload is covered at once."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for name, value in self.form.items(multi=True):
            _refuse_text(f"the form field '{name}'", name + value)
        for name, storage in self.files.items(multi=True):
            _refuse_text(f"the name of the file in '{name}'", name + (storage.filename or ""))


def _check_url() -> None:
    for name, value in request.args.items(multi=True):
        _refuse_text(f"the query parameter '{name}'", name + value)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _refuse_text(f"the '{name}' in the address", value)
        elif isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"there is no {name.replace('_', ' ')} {value}")


def init_app(app: Flask) -> None:
    """Call before any route is registered: routes bind their converters then."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = GuardedRequest
    app.before_request(_check_url)
