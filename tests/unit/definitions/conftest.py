"""Fixtures: the example bundles and the corpus base, as text and as models."""

from __future__ import annotations

from pathlib import Path

import pytest

from workorders.definitions import Bundle, load_bundle

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "definitions").glob("*.yaml"))
BASE = Path(__file__).with_name("base.yaml")


@pytest.fixture(scope="session")
def nordvarme() -> Bundle:
    result = load_bundle((REPO / "definitions" / "nordvarme-heatpumps.yaml").read_bytes())
    assert result.bundle is not None
    return result.bundle


@pytest.fixture(scope="session")
def base_text() -> str:
    return BASE.read_text("utf-8")
