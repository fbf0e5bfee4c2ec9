"""Definition bundles: read, validate and model a tenant's configuration (pure core).

Public API::

    load_bundle(source, *, filename=None) -> LoadResult   # YAML or JSON text/bytes
    validate_data(data, positions=None) -> LoadResult     # already-parsed plain data
    diff_bundles(old, new) -> dict                        # structured per-section diff
    fact_types(bundle, case_type_id) -> Mapping[str, FactType]
    bundle_schema() -> dict                               # the JSON Schema

Everything else (model classes, conditions, limits) is importable from its module.
See docs/definitions.md for the format and the checks.
"""

from __future__ import annotations

from .conditions import Condition, parse_condition
from .diff import diff_bundles, has_changes
from .facts import FactType, fact_types
from .limits import MAX_BUNDLE_BYTES
from .model import Action, Bundle, CaseType, Connector, Field, Form, GoldenTest, Rule
from .problems import Problem
from .schema_check import bundle_schema
from .validate import LoadResult, canonical_json, content_hash, load_bundle, validate_data

__all__ = [
    "MAX_BUNDLE_BYTES",
    "Action",
    "Bundle",
    "CaseType",
    "Condition",
    "Connector",
    "FactType",
    "Field",
    "Form",
    "GoldenTest",
    "LoadResult",
    "Problem",
    "Rule",
    "bundle_schema",
    "canonical_json",
    "content_hash",
    "diff_bundles",
    "fact_types",
    "has_changes",
    "load_bundle",
    "parse_condition",
    "validate_data",
]
