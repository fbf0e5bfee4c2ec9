"""The entry point: source text -> every problem, and the model when there are none.

Order: read (size, encoding, syntax; fatal), JSON Schema (every shape error), then
the semantic checks. The semantic checks run only on schema-valid data: they
cross-reference sections, and guessing at a malformed section would produce
misleading follow-up errors. So an admin fixes shape errors first (all reported at
once), then sees every cross-reference error at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .build import build_bundle
from .check_case_types import check_case_types
from .check_catalog import check_catalog, check_top_level
from .check_forms import check_forms
from .check_outputs import check_connectors, check_notifications
from .check_rules import check_rules
from .check_tests import check_tests
from .context import Context
from .model import Bundle
from .problems import Collector, Positions, Problem
from .schema_check import check_schema
from .source import ParseFailure, read_source

CHECKS: tuple[Callable[[Context], None], ...] = (
    check_top_level, check_catalog, check_case_types, check_forms, check_rules,
    check_notifications, check_connectors, check_tests,
)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The outcome of reading and validating one bundle.

    ``bundle`` is set only when there are no errors. ``normalized`` is the parsed
    plain data (keys as written, no defaults applied) whenever the source could be
    read; ``content_hash`` is the SHA-256 of it as canonical JSON, so the same bundle
    in YAML or JSON, with other key order or comments, hashes the same. It is ""
    when the source could not be read.
    """

    bundle: Bundle | None
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    normalized: dict[str, Any] | None
    content_hash: str

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "content_hash": self.content_hash,
                "errors": [p.to_dict() for p in self.errors],
                "warnings": [p.to_dict() for p in self.warnings]}


def canonical_json(data: Any) -> str:
    """Sorted keys, no whitespace: the text the content hash is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def load_bundle(source: str | bytes, *, filename: str | None = None,
                secret_names: Iterable[str] | None = None) -> LoadResult:
    """Read YAML or JSON text and validate it completely. Never raises on bad input.

    ``secret_names`` are the tenant's secret names, when the bundle is checked for
    a tenant: a secret the bundle names but the tenant lacks is then a warning."""
    try:
        parsed = read_source(source, filename)
    except ParseFailure as failure:
        return LoadResult(None, (failure.problem,), (), None, "")
    return validate_data(parsed.data, parsed.positions, secret_names=secret_names)


def validate_data(data: dict[str, Any], positions: Positions | None = None, *,
                  secret_names: Iterable[str] | None = None) -> LoadResult:
    """Validate already-parsed plain data (e.g. from the API's JSON body)."""
    out = Collector(positions)
    bundle: Bundle | None = None
    if check_schema(data, out) == 0:
        bundle = build_bundle(data)
        context = Context(bundle, data, out, None if secret_names is None
                          else frozenset(secret_names))
        for check in CHECKS:
            check(context)
    errors = out.sorted_errors()
    return LoadResult(None if errors else bundle, errors, out.sorted_warnings(), data,
                      content_hash(data))
