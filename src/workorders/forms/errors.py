"""What a validation answers: errors and warnings located by JSON pointers.

Both paths (the API's JSON Schema and the browser's WTForms form) report in this
one shape, so the platform shows a problem next to the same field whichever way
the data came in, and a test can compare the two paths item by item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workorders.definitions.problems import pointer

__all__ = ["FieldError", "SubmissionCheck", "pointer"]


@dataclass(frozen=True, slots=True, order=True)
class FieldError:
    """One problem: ``path`` is a JSON pointer into the submitted data ("/time/0/hours")."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True, slots=True)
class SubmissionCheck:
    """The outcome of validating one submission.

    ``errors`` make the submission unacceptable (a final one answers 422, a draft
    too when a value is malformed). ``warnings`` list what a draft still lacks
    before it could be submitted as final. ``cleaned`` is the data to store:
    what was sent minus blank values and the values of hidden fields.
    """

    errors: list[FieldError]
    warnings: list[FieldError]
    cleaned: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"errors": [e.to_dict() for e in self.errors],
                "warnings": [w.to_dict() for w in self.warnings]}
