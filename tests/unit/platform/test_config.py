"""Settings come from the environment; the secret key is generated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from workorders.platform.config import load_settings


def test_defaults_live_in_the_instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WORKORDERS_DATABASE_URL", "WORKORDERS_SECRET_KEY", "REDIS_URL",
                 "WORKORDERS_SMTP_URL", "WORKORDERS_OUTBOUND_ALLOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKORDERS_INSTANCE_DIR", str(tmp_path / "inst"))
    settings = load_settings()
    assert settings.instance_dir == (tmp_path / "inst").resolve()
    assert settings.database_url == f"sqlite:///{settings.instance_dir / 'workorders.db'}"
    assert settings.redis_url is None and settings.smtp_url is None
    key_file = settings.instance_dir / "secret_key"
    assert key_file.read_text() == settings.secret_key and len(settings.secret_key) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert load_settings().secret_key == settings.secret_key  # kept across restarts


def test_environment_names_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKORDERS_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("WORKORDERS_DATABASE_URL", "postgresql+psycopg://u@db/w")
    monkeypatch.setenv("WORKORDERS_SECRET_KEY", "given")
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/0")
    monkeypatch.setenv("WORKORDERS_SMTP_URL", "smtp://mail:25")
    monkeypatch.setenv("WORKORDERS_OUTBOUND_ALLOW", "127.0.0.1, 10.0.0.0/8")
    settings = load_settings()
    assert (settings.database_url, settings.secret_key, settings.redis_url, settings.smtp_url) == (
        "postgresql+psycopg://u@db/w", "given", "redis://r:6379/0", "smtp://mail:25")
    assert settings.outbound_allow == ("127.0.0.1", "10.0.0.0/8")
    assert not (tmp_path / "secret_key").exists()
