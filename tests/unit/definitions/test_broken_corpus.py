"""Every bundle in broken/ is rejected with the error path and line its header names,
and the base they are derived from is valid (so each file holds exactly the one
defect its name says)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workorders.definitions import load_bundle

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "broken").glob("*.yaml"))
_EXPECT = re.compile(rb"^# expect: (\S+) line (\d+)$", re.M)


def test_the_corpus_is_large_and_the_base_is_valid() -> None:
    assert len(CORPUS) >= 45
    result = load_bundle((HERE / "base.yaml").read_bytes())
    assert result.valid, [p.to_dict() for p in result.errors]
    assert result.warnings == ()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_broken_bundle_is_rejected_at_its_location(path: Path) -> None:
    raw = path.read_bytes()
    match = _EXPECT.search(raw)
    assert match, f"{path.name} has no '# expect:' header"
    pointer = match.group(1).decode()
    pointer = "" if pointer == "(root)" else pointer
    line = int(match.group(2))
    result = load_bundle(raw, filename=path.name)
    assert not result.valid
    assert result.bundle is None
    locations = [(p.path, p.line) for p in result.errors]
    assert (pointer, line) in locations, locations
    assert all(p.message for p in result.errors)
