"""A snapshot of every stored row, to prove a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

#: columns that legitimately move on reads
VOLATILE = {("api_tokens", "last_used_at"), ("login_attempts", "at")}


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    from workorders.platform.extensions import db

    result: dict[str, list[tuple[Any, ...]]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            cols = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows = db.session.execute(select(*cols)).all()
            result[table.name] = sorted(tuple(repr(v) for v in r) for r in rows)
        db.session.remove()
    return result
