"""The instance's files are the service user's alone, whatever the umask (issue 11,
item 15): the secret key, the SQLite database, uploads and the outbox hold secrets
and customer links."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: whatever is private now was made private on purpose."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_app(app_config: dict[str, Any], tmp_path: Path, open_umask: None) -> Iterator[Flask]:
    from workorders.platform import create_app
    from workorders.platform.extensions import db

    config = {**app_config, "instance_dir": tmp_path / "fresh" / "instance", "secret_key": None}
    application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_instance_dir_its_folders_and_the_secret_key_are_private(fresh_app: Flask) -> None:
    instance: Path = fresh_app.extensions["workorders.settings"].instance_dir
    assert mode(instance) == mode(instance.parent) == 0o700
    for sub in ("files", "outbox", "exports"):
        assert mode(instance / sub) == 0o700, sub
    assert mode(instance / "secret_key") == 0o600


def test_outbox_emails_and_sms_are_private(fresh_app: Flask) -> None:
    from workorders.platform.jobs.email import deliver
    from workorders.platform.jobs.sms import deliver_sms

    message = EmailMessage()
    message["To"] = "lena@example.test"
    message.set_content("Your status page: https://work.example.com/status/token")
    written = deliver(fresh_app, message, "job-1-status")
    assert written is not None and mode(written) == 0o600
    deliver_sms(fresh_app, 1, None, "+46701234567", "On our way", "notification-2")
    sms = fresh_app.extensions["workorders.settings"].mail_dir / "notification-2.sms.txt"
    assert mode(sms) == 0o600 and "On our way" in sms.read_text(encoding="utf-8")


def test_uploaded_files_and_their_folders_are_private(fresh_app: Flask) -> None:
    from workorders.platform.services.files import path_of, store_bytes

    with fresh_app.app_context():
        stored = path_of(store_bytes(b"\x89PNG a signature"))
    assert mode(stored) == 0o600 and mode(stored.parent) == 0o700


def test_the_sqlite_database_file_is_private(tmp_path: Path, open_umask: None) -> None:
    from workorders.platform import create_app
    from workorders.platform.bootstrap import init_database
    from workorders.platform.extensions import db

    app = create_app({"instance_dir": tmp_path / "instance", "database_url": None,
                      "secret_key": "test-secret", "redis_url": None, "TESTING": True})
    init_database(app)
    with app.app_context():
        db.engine.dispose()
    database = tmp_path / "instance" / "workorders.db"
    assert app.extensions["workorders.settings"].database_url.endswith(str(database))
    assert mode(database) == 0o600
