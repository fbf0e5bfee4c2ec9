"""The root of every error the product raises on purpose.

Each package defines a few named subclasses that carry the location they concern
(a JSON pointer, a line, a field). The platform maps them to HTTP problem
responses in one place, so an error raised deep in the core reaches the user
with its location intact.
"""

from __future__ import annotations

from typing import Any


class WorkordersError(Exception):
    """Base class: a failure that we expect and can explain to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(WorkordersError):
    """Something does not exist, or belongs to another tenant (never reveal which)."""


class Conflict(WorkordersError):
    """The request clashes with the current state (HTTP 409)."""


class ValidationFailed(WorkordersError):
    """Input broke the rules; ``errors`` lists every problem with its path."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors: list[dict[str, Any]] = errors or []


class Forbidden(WorkordersError):
    """The actor's roles do not allow this (HTTP 403)."""


class PreconditionFailed(WorkordersError):
    """``If-Match`` did not match the current version (HTTP 412)."""


class PreconditionRequired(WorkordersError):
    """A write that must name the version it changes came without ``If-Match``
    (HTTP 428): without it, two editors could silently overwrite each other."""


class RateLimited(WorkordersError):
    """Too many requests of one kind (HTTP 429)."""


class UnsupportedMedia(WorkordersError):
    """The content is of a type this endpoint does not take (HTTP 415)."""
