"""The shipped example bundles validate cleanly, and the shipped JSON Schema files
are exactly what the builder produces (so they cannot drift apart)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from workorders.definitions import bundle_schema, load_bundle
from workorders.definitions.schema_build import build_schema

from .conftest import EXAMPLES, REPO


def test_there_are_three_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "nordvarme-heatpumps.yaml", "voltfix-electric.yaml", "bytewise-it.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_bundle_is_valid_and_complete(path: Path) -> None:
    result = load_bundle(path.read_bytes(), filename=path.name)
    assert result.errors == (), [p.to_dict() for p in result.errors]
    bundle = result.bundle
    assert bundle is not None
    assert bundle.seller is not None and bundle.seller.peppol_id
    kinds = {a.kind for r in bundle.rules for a in r.then}
    assert kinds == {"raise_exception", "require_approval", "block_invoicing", "notify",
                     "set_field", "transition", "assign"}
    assert len(bundle.rules) >= 8
    assert len(bundle.tests) >= 3
    assert len(bundle.connectors) == 1
    timed = [f for f in bundle.forms if any(x.type == "time_entries" for x in f.fields)]
    assert len(timed) >= 2
    field_types = {x.type for f in bundle.forms for x in f.fields}
    assert {"photos", "signature"} <= field_types
    conditional = [x for f in bundle.forms for x in f.fields]
    assert any(x.visible_if for x in conditional) and any(x.required_if for x in conditional)


def test_examples_use_different_connector_formats() -> None:
    formats = set()
    for path in EXAMPLES:
        bundle = load_bundle(path.read_bytes()).bundle
        assert bundle is not None
        formats |= {c.format for c in bundle.connectors}
    assert len(formats) == 3


def test_shipped_schema_equals_builder_and_docs_copy() -> None:
    docs = json.loads((REPO / "docs" / "definition-schema.json").read_text("utf-8"))
    assert bundle_schema() == build_schema() == docs
    Draft202012Validator.check_schema(docs)


def test_schema_closes_every_object() -> None:
    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bundle_schema())
