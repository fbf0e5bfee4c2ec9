"""Our own settings have one path: the typed ``Settings`` (environment, then
overrides). A second path through ``app.config`` let tests and deployments set a
value that the typed settings, and so the docs, never knew about."""

from __future__ import annotations

import re
from pathlib import Path

from workorders.platform.config import load_settings

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "workorders"
#: keys that belong to Flask and its extensions, which read them from app.config themselves
FLASK_OWN = {"SECRET_KEY"}
CONFIG_READ = re.compile(r"config(?:\.get\(|\[)\s*[\"']([A-Z_]+)[\"']")


def test_no_module_reads_our_settings_from_app_config() -> None:
    reads = {f"{path.relative_to(PACKAGE)}:{key}"
             for path in PACKAGE.rglob("*.py")
             for key in CONFIG_READ.findall(path.read_text(encoding="utf-8"))
             if key not in FLASK_OWN}
    assert reads == set()


def test_job_and_password_settings_are_typed(tmp_path: Path) -> None:
    settings = load_settings({"instance_dir": tmp_path, "jobs_sync": True,
                              "job_backoff_seconds": 0.0,
                              "password_hash_method": "pbkdf2:sha256:1000"})
    assert settings.jobs_sync is True
    assert settings.job_backoff_seconds == 0.0
    assert settings.password_hash_method == "pbkdf2:sha256:1000"
    assert load_settings({"instance_dir": tmp_path}).password_hash_method == "scrypt"


def test_settings_are_read_through_settings_of_only() -> None:
    """``app.extensions["workorders.settings"]`` typed as Any hid wrong attribute
    names from mypy; ``settings_of`` answers a ``Settings``."""
    key = '"workorders.settings"'
    readers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if key in path.read_text(encoding="utf-8"))
    assert readers == ["platform/__init__.py", "platform/config.py"]  # stored once, read once
