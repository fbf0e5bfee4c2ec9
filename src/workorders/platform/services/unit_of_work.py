"""A transaction boundary for services: commit on success, roll back on error.

On SQLite the transaction takes the write lock when it begins (BEGIN
IMMEDIATE): two writers then queue on the busy timeout instead of one failing
when it upgrades a read lock. A clean read-only transaction left open by the
request (e.g. loading the actor) is ended first so the write one can start so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from workorders.platform.database import begin_write
from workorders.platform.extensions import db


@contextmanager
def transaction() -> Iterator[Session]:
    session = db.session()
    if not (session.new or session.dirty or session.deleted):
        begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
