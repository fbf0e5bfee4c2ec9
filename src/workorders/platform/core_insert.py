"""Insert a new row with one Core statement and keep working with it as an object.

The unit of work costs several times the INSERT it sends: it sorts the session's
changes, builds the statement, runs per-object bookkeeping and the session's flush
hooks. On the hottest writes (a booking's case, a report's submission) that is a
large share of the request's CPU. ``insert_now`` sends the INSERT itself, reads back
the columns the database or a column default filled, and attaches the object to the
session as if it had been loaded: later changes to it are tracked and flushed as
usual. It suits a row with no collections to cascade; the caller passes the
many-to-one objects it set (they are already in the session) and does whatever a
flush hook would have done for such a row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table, insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

#: (table, the columns given, the columns read back) -> the statement, built once
_STATEMENTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Insert] = {}


def insert_now(session: Session, obj: Any) -> None:
    """INSERT ``obj`` now, in ``session``'s transaction, and make it persistent there."""
    state = inspect(obj)
    if state.session is not None or state.key is not None:
        raise ValueError("insert_now takes a new object that no session holds yet")
    mapper = state.mapper
    table: Table = mapper.local_table
    given: dict[str, Any] = {}
    read_back: list[tuple[str, str]] = []  # (attribute, column)
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if getattr(column, "table", None) is not table:
            continue  # an expression (column_property): loaded when read
        if prop.key in state.dict:
            given[column.key] = state.dict[prop.key]
        else:
            read_back.append((prop.key, column.key))
    key = (table.name, tuple(sorted(given)), tuple(c for _a, c in read_back))
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = insert(table).returning(*(table.c[c] for _a, c in read_back))
        _STATEMENTS[key] = stmt
    row = session.connection().execute(stmt, given).one()
    for (attribute, _column), value in zip(read_back, row, strict=True):
        set_committed_value(obj, attribute, value)
    make_transient_to_detached(obj)  # as if loaded: no history, nothing pending
    session.add(obj)
