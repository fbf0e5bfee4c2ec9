"""Property tests: meaning-preserving rewrites of valid bundles are never rejected and
hash the same; junk, and valid bundles with random parts replaced by junk, never
make the validator raise."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workorders.definitions import load_bundle, validate_data
from workorders.definitions.yaml_reader import resolve_plain

from .conftest import BASE, EXAMPLES

SOURCES = [BASE, *EXAMPLES]
TEXTS = {p: p.read_text("utf-8") for p in SOURCES}
RESULTS = {p: load_bundle(t) for p, t in TEXTS.items()}
FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _shuffled(value: Any, rnd: random.Random) -> Any:
    """Same data, every mapping's keys in a random order (lists keep their order)."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


class _QuotingDumper(yaml.SafeDumper):
    """Dumps text scalars in a random style; forces quotes where YAML 1.2 would
    read the plain text as something else."""

    rnd = random.Random(0)


def _represent_str(dumper: _QuotingDumper, value: str) -> yaml.ScalarNode:
    style: str | None = dumper.rnd.choice([None, "'", '"'])
    if resolve_plain(value) != value or "\n" in value:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_QuotingDumper.add_representer(str, _represent_str)


def _render(data: Any, rnd: random.Random) -> str:
    if rnd.random() < 0.4:
        return " \n" + json.dumps(data, ensure_ascii=rnd.random() < 0.5,
                                  indent=rnd.choice([None, 1, 2, "\t"]))
    _QuotingDumper.rnd = rnd
    return yaml.dump(data, Dumper=_QuotingDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=rnd.choice([False, None]), width=rnd.choice([60, 4096]))


def _with_comments(text: str, rnd: random.Random) -> str:
    """Comment lines before structural lines (top-level keys and '- id:' items)."""
    out = []
    for line in text.split("\n"):
        if (re.match(r"^[a-z_]+:", line) or re.match(r"^\s*- id:", line)) and rnd.random() < 0.5:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# note {rnd.randint(0, 999)}: {{not: [yaml]}}")
        out.append(line + (" # trailing" if re.match(r"^[a-z_]+:\s*$", line) else ""))
    return "\n".join(out)


@FAST
@given(st.sampled_from(SOURCES), st.randoms(use_true_random=False))
def test_rewritten_bundles_stay_valid_with_the_same_hash(path: Path, rnd: random.Random) -> None:
    original = RESULTS[path]
    assert original.valid and original.normalized is not None
    text = _render(_shuffled(copy.deepcopy(original.normalized), rnd), rnd)
    result = load_bundle(text)
    assert result.errors == (), [p.to_dict() for p in result.errors[:3]]
    assert result.content_hash == original.content_hash
    assert result.bundle == original.bundle


@FAST
@given(st.sampled_from(SOURCES), st.randoms(use_true_random=False))
def test_comments_do_not_change_anything(path: Path, rnd: random.Random) -> None:
    result = load_bundle(_with_comments(TEXTS[path], rnd))
    assert result.valid
    assert result.content_hash == RESULTS[path].content_hash


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400))
def test_junk_never_raises(source: bytes | str) -> None:
    result = load_bundle(source)
    assert not result.valid or result.bundle is not None
    assert all(p.message for p in result.errors)


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES, st.sampled_from(["yaml", "json"]))
def test_random_documents_never_raise(value: Any, fmt: str) -> None:
    text = json.dumps(value) if fmt == "json" else yaml.safe_dump(value)
    result = load_bundle(text)
    assert result.errors


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SOURCES), st.data())
def test_valid_bundles_with_a_part_replaced_never_raise(path: Path, data: st.DataObject) -> None:
    """Reaches the semantic checks with schema-valid but nonsensical data."""
    bundle = copy.deepcopy(RESULTS[path].normalized)
    assert bundle is not None
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(_paths(bundle)[1:]))
        parent = bundle
        for key in target[:-1]:
            parent = parent[key]
        replacement = data.draw(
            st.sampled_from(["", "x", "job", "in_progress", "form.time", "{{ x }}", 0, -1,
                             10**20, 1.5, True, None, [], {}, ["a"]]) | JSON_VALUES)
        if isinstance(parent, dict) and data.draw(st.booleans()):
            parent.pop(target[-1], None)
        else:
            parent[target[-1]] = replacement
    result = validate_data(bundle)
    assert (result.bundle is not None) == result.valid
