from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from workorders.definitions.conditions import parse_condition
from workorders.rules import CompiledRules, RuleSpec, compile_rules

_names = itertools.count()


@pytest.fixture
def build() -> Callable[..., CompiledRules]:
    """compile {id: raw condition or None} for an engine, in a fresh namespace."""

    def _build(rules: dict[str, Any], engine: str = "durable") -> CompiledRules:
        specs = [RuleSpec(rid, None if raw is None else parse_condition(raw))
                 for rid, raw in rules.items()]
        return compile_rules(f"test/{next(_names)}", specs, engine)  # type: ignore[arg-type]

    return _build
