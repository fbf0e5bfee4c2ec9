"""Reading sources: formats, positions, and the guards against bad input."""

from __future__ import annotations

import json
import time

import pytest

from workorders.definitions import MAX_BUNDLE_BYTES, load_bundle
from workorders.definitions.source import ParseFailure, read_source


def test_yaml_positions_are_one_based_for_values_and_keys() -> None:
    parsed = read_source("a: 1\nb:\n  - x\n  - {c: true}\n")
    assert parsed.positions.values["/a"] == (1, 4)
    assert parsed.positions.values["/b/1/c"] == (4, 9)
    assert parsed.positions.keys["/b"] == (2, 1)


def test_json_is_detected_and_keeps_positions() -> None:
    parsed = read_source('\n  {"a": [1, 2.5e3, {"b~/": null}],\n "c": "x"}')
    assert parsed.format == "json"
    assert parsed.data == {"a": [1, 2500.0, {"b~/": None}], "c": "x"}
    assert parsed.positions.values["/a/2/b~0~1"] == (2, 28)
    assert parsed.positions.keys["/c"] == (3, 2)


def test_yaml_follows_the_core_schema_not_yaml_1_1() -> None:
    data = read_source("country: NO\nstart: 08:30\nday: 2026-11-20\non: yes\nn: 0x1f\n").data
    assert data == {"country": "NO", "start": "08:30", "day": "2026-11-20", "on": "yes",
                    "n": 31}


def test_json_syntax_error_has_line_and_column() -> None:
    result = load_bundle('{\n  "format": "workorders/v1",\n  "name": ,\n}')
    (problem,) = result.errors
    assert (problem.line, problem.column) == (3, 11)
    assert "JSON syntax error" in problem.message


def test_json_duplicate_keys_are_rejected() -> None:
    result = load_bundle('{"name": "a", "name": "b"}')
    assert "duplicate key 'name'" in result.errors[0].message


@pytest.mark.parametrize("size", [MAX_BUNDLE_BYTES + 1, MAX_BUNDLE_BYTES * 4])
def test_oversized_sources_are_refused_before_parsing(size: int) -> None:
    started = time.perf_counter()
    for source in (b"#" * size, "#" * size):
        result = load_bundle(source)
        assert "limit is 2097152 bytes" in result.errors[0].message
        assert result.normalized is None and result.content_hash == ""
    assert time.perf_counter() - started < 1


def test_utf16_is_explained() -> None:
    result = load_bundle("format: workorders/v1".encode("utf-16"))
    assert "UTF-16" in result.errors[0].message


def test_billion_laughs_fails_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcdefgh", "bcdefghi",
                                                                          strict=True)]
    started = time.perf_counter()
    result = load_bundle("\n".join(lines))
    assert time.perf_counter() - started < 0.5
    assert "aliases" in result.errors[0].message


def test_deep_json_nesting_is_refused_without_recursion_error() -> None:
    result = load_bundle('{"a": ' + "[" * 5000 + "]" * 5000 + "}")
    assert "nested deeper than 64" in result.errors[0].message


def test_many_nodes_are_refused() -> None:
    with pytest.raises(ParseFailure, match="more than 200000 values"):
        read_source("a: [" + "1," * 250_000 + "1]")


def test_json_and_yaml_give_the_same_hash(base_text: str) -> None:
    from_yaml = load_bundle(base_text)
    assert from_yaml.normalized is not None
    from_json = load_bundle(json.dumps(from_yaml.normalized, indent="\t"))
    assert from_json.valid
    assert from_json.content_hash == from_yaml.content_hash
    assert from_json.normalized == from_yaml.normalized
