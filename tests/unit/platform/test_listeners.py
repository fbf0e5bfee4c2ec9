"""``platform.listeners.Listeners``: installed once however many callers and threads
ask, so a per-transaction memory is forgotten once per commit, not twice."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from workorders.platform.listeners import Listeners


class _OwnSession(Session):
    """A class of its own, so the listener reaches no other test's sessions."""


def test_installed_once_from_many_threads_and_runs_once_per_commit() -> None:
    commits: list[int] = []

    def counted(_session: Any) -> None:
        commits.append(1)

    hooks = Listeners(_OwnSession, ("after_commit", counted))
    start = threading.Barrier(8)

    def install() -> None:
        start.wait()
        hooks.install()

    threads = [threading.Thread(target=install) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hooks.install()

    with _OwnSession(create_engine("sqlite://")) as session:
        session.begin()
        session.commit()
    assert commits == [1]
    with Session(create_engine("sqlite://")) as other:  # another class: not reached
        other.begin()
        other.commit()
    assert commits == [1]
