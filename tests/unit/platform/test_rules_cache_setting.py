"""WORKORDERS_RULES_CACHE_SIZE bounds the compiled rule lists a process keeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workorders.platform import create_app
from workorders.platform.config import load_settings
from workorders.rules import registry


@pytest.fixture(autouse=True)
def _restore_limit() -> Iterator[None]:
    before = registry.limit()
    yield
    registry.set_limit(before)


def _config(tmp_path: Path) -> dict[str, object]:
    return {"instance_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "secret_key": "test"}


def test_the_app_bounds_the_rules_cache_as_configured(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKORDERS_RULES_CACHE_SIZE", "7")
    assert load_settings(_config(tmp_path)).rules_cache_size == 7
    create_app(_config(tmp_path))
    assert registry.limit() == 7


def test_the_default_bound_applies_without_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKORDERS_RULES_CACHE_SIZE", raising=False)
    registry.set_limit(3)
    create_app(_config(tmp_path))
    assert registry.limit() == registry.DEFAULT_LIMIT


@pytest.mark.parametrize("value", ["0", "-4", "many", "2.5"])
def test_a_bad_cache_size_is_refused_saying_what_is_expected(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WORKORDERS_RULES_CACHE_SIZE", value)
    with pytest.raises(ValueError, match="WORKORDERS_RULES_CACHE_SIZE must be a whole number "
                                         "of at least 1"):
        load_settings(_config(tmp_path))
