"""Operation metadata attached to API views; the OpenAPI document is built from
the live URL map plus this metadata, and request bodies are validated against
the very schemas documented here, so the document cannot drift from the code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
JSON_OBJECT: Mapping[str, Mapping[str, Any]] = {"application/json": {"type": "object"}}
#: a success answering stored bytes of whatever type they were stored as (a JSON
#: payload is still JSON, so the schema leaves its shape open)
ANY_BYTES: Mapping[str, Mapping[str, Any]] = {"*/*": {}}


def operation(summary: str, *, body: Mapping[str, Any] | None = None,
              responses: Mapping[int, str] | None = None,
              query: Mapping[str, Mapping[str, Any]] | None = None,
              content_types: tuple[str, ...] = ("application/json",),
              produces: Mapping[str, Mapping[str, Any]] | None = None,
              description: str = "") -> Callable[[F], F]:
    """Describe one API operation: summary, request body JSON Schema, query
    parameters, and the responses it can give besides the common errors.

    ``produces`` maps each media type of a successful answer to its schema;
    without it a success is a JSON object."""

    def decorate(view: F) -> F:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "description": description,
            "body": dict(body) if body is not None else None,
            "responses": dict(responses or {200: "OK"}),
            "query": {k: dict(v) for k, v in (query or {}).items()},
            "content_types": content_types,
            "produces": {k: dict(v) for k, v in (produces or JSON_OBJECT).items()},
        }
        return view

    return decorate


def meta_of(view: Callable[..., Any]) -> dict[str, Any] | None:
    meta: dict[str, Any] | None = getattr(view, "openapi", None)
    return meta
