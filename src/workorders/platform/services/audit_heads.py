"""Moving each tenant's keyed audit head in the transaction that adds its events.

The head moves at commit, not at each ``record_event``: the row lock it takes is
then the last lock of the transaction, so two transactions that lock cases in
different orders cannot deadlock on it, and all events of one tenant serialise
on that lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's writer already
holds the database lock). A rolled-back transaction moves nothing. Rows that nothing
reads back in their transaction (a rules run's record) can wait for the commit too
(``insert_at_commit``) and go in with the events.
"""

from __future__ import annotations

import weakref
from typing import Any, cast

from sqlalchemy import Table, TextualSelect, bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from workorders.platform.listeners import Listeners
from workorders.platform.models import AuditEvent, AuditHead
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit_key import chain_key, mac

GENESIS = "0" * 64
_PENDING = "workorders.audit.pending"
_WRITTEN = "workorders.audit.pending_written"
_EVENT_COLUMNS = ("tenant_id", "subject_type", "subject_id", "seq", "at", "actor", "action",
                  "before", "after", "comment", "prev_hash", "hash")
_EVENTS = cast(Table, AuditEvent.__table__)
_HEADS = cast(Table, AuditHead.__table__)
#: built once (every write request runs them): the head's count, locked; the head moved
_LOCK_HEAD = select(_HEADS.c.count).where(
    _HEADS.c.tenant_id == bindparam("tenant")).with_for_update()
_MOVE_HEAD = update(_HEADS).where(_HEADS.c.tenant_id == bindparam("tenant")).values(
    count=bindparam("count"), last_hash=bindparam("last_hash"),
    updated_at=bindparam("updated_at"), mac=bindparam("mac"))
_INSERT_EVENTS = insert(_EVENTS)
#: PostgreSQL: up to this many events go in with the head's lock, in one statement
_MERGED_MAX = 8
#: (event count, each late row's table and columns) -> the statement
_MERGED: dict[tuple[int, tuple[tuple[str, tuple[str, ...]], ...]], TextualSelect] = {}
#: rows nothing reads back in their transaction, written at commit (``insert_at_commit``)
_LATE = "workorders.audit.late_rows"
LateRow = tuple[Table, dict[str, Any]]


def _late_shape(late: list[LateRow]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((table.name, tuple(row)) for table, row in late)


def _events_then_lock(count: int, late: list[LateRow]) -> TextualSelect:
    """``count`` events, and the late rows, inserted by data-modifying CTEs of the
    statement that locks and reads the head: one round trip instead of one per
    insert and the lock (PostgreSQL runs every CTE to completion whether or not the
    main query reads it). Built once per shape, as text with typed parameters:
    SQLAlchemy cannot cache the compiled form of an INSERT inside a SELECT's WITH,
    and compiling it per request cost more than the round trip it saves."""
    key = (count, _late_shape(late))
    statement = _MERGED.get(key)
    if statement is None:
        rows = ", ".join("(" + ", ".join(f":{c}_{i}" for c in _EVENT_COLUMNS) + ")"
                         for i in range(count))
        ctes = [f"recorded AS (INSERT INTO {_EVENTS.name} ({', '.join(_EVENT_COLUMNS)}) "
                f"VALUES {rows})"]
        params = [bindparam(f"{c}_{i}", type_=_EVENTS.c[c].type)
                  for i in range(count) for c in _EVENT_COLUMNS]
        for n, (table, row) in enumerate(late):
            ctes.append(f"late_{n} AS (INSERT INTO {table.name} ({', '.join(row)}) VALUES ("
                        + ", ".join(f":late{n}_{c}" for c in row) + "))")
            params += [bindparam(f"late{n}_{c}", type_=table.c[c].type) for c in row]
        statement = text(
            f"WITH {', '.join(ctes)} SELECT count FROM {_HEADS.name} "
            "WHERE tenant_id = :tenant FOR UPDATE",
        ).bindparams(bindparam("tenant", type_=_HEADS.c.tenant_id.type),
                     *params).columns(_HEADS.c.count)
        _MERGED[key] = statement
    return statement


def insert_at_commit(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Insert ``row`` into ``table`` when ``session`` commits, with the audit events:
    on PostgreSQL it rides on the statement that locks the tenant's audit head. For
    rows nothing reads back in their transaction (a rules run's record): ``row``
    names every column to write, defaults included."""
    _HOOKS.install()
    session.connection()  # inside a transaction, so a rollback forgets the row
    session.info.setdefault(_LATE, []).append((table, row))


def _insert_late(session: Session, late: list[LateRow]) -> None:
    conn = session.connection()
    for table, row in late:
        conn.execute(insert(table), row)


def head_mac(key: bytes, tenant_id: int, count: int, last_hash: str) -> str:
    return mac(key, f"tenant={tenant_id};count={count};last={last_hash}".encode())


def track_for_head(session: Session, audit_event: AuditEvent) -> None:
    """Insert ``audit_event`` and count it into its tenant's head when ``session``
    commits (all of a transaction's events in one statement)."""
    _HOOKS.install()
    session.info.setdefault(_PENDING, []).append(audit_event)


def _write_before_reading(state: ORMExecuteState) -> None:
    """A transaction that reads audit events sees the ones it recorded: they are
    inserted now, before the read."""
    info = state.session.info  # cheap tests first: this runs before every ORM statement
    if (state.is_select and len(info.get(_PENDING) or ()) > info.get(_WRITTEN, 0)
            and _reads_audit_events(state)):
        _insert_pending(state.session)


#: statement -> whether it reads audit events; SQLAlchemy works out a statement's
#: mappers from its column descriptions on every call, and most statements are
#: module constants run every request (held weakly: a statement built for one
#: request goes with it)
_READS_AUDIT: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _reads_audit_events(state: ORMExecuteState) -> bool:
    try:
        return _READS_AUDIT[state.statement]
    except KeyError:
        found = _READS_AUDIT[state.statement] = AuditEvent.__mapper__ in state.all_mappers
        return found


def _insert_pending(session: Session) -> None:
    """Insert the events recorded since the last insert, all in one statement (Core:
    the events are not read back as objects, so the unit of work has nothing to do)."""
    pending: list[AuditEvent] = session.info.get(_PENDING) or []
    written: int = session.info.get(_WRITTEN, 0)
    if written < len(pending):
        session.info[_WRITTEN] = len(pending)
        session.connection().execute(_INSERT_EVENTS, [
            {c: getattr(e, c) for c in _EVENT_COLUMNS} for e in pending[written:]])


def _forget_pending(session: Session, _transaction: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)
    session.info.pop(_LATE, None)


def _move_heads(session: Session) -> None:
    """At commit: the transaction's events (and rows kept for the commit), then each
    tenant's head: insert, lock, move, however many events. On PostgreSQL a few
    events of one tenant go in with the lock: two statements. A bulk change (many
    cases in one transaction) keeps the plain inserts, so no statement grows with it."""
    pending: list[AuditEvent] = session.info.get(_PENDING) or []
    late: list[LateRow] = session.info.get(_LATE) or []
    if not pending and not late:
        return
    session.flush()  # what the events describe is written first
    conn = session.connection()
    unwritten = pending[session.info.get(_WRITTEN, 0):]
    merge = conn.dialect.name == "postgresql" and 0 < len(unwritten) <= _MERGED_MAX \
        and len(late) <= _MERGED_MAX and len({e.tenant_id for e in unwritten}) == 1
    if not merge:
        _insert_pending(session)
        _insert_late(session, late)
    _forget_pending(session, None)
    by_tenant: dict[int, list[AuditEvent]] = {}
    for audit_event in pending:
        by_tenant.setdefault(audit_event.tenant_id, []).append(audit_event)
    key = chain_key()
    for tenant_id in sorted(by_tenant):  # one order everywhere: no deadlock between heads
        if merge and tenant_id == unwritten[0].tenant_id:
            params = {f"{c}_{i}": getattr(e, c) for i, e in enumerate(unwritten)
                      for c in _EVENT_COLUMNS}
            for n, (_table, row) in enumerate(late):
                params.update({f"late{n}_{c}": value for c, value in row.items()})
            count = conn.execute(_events_then_lock(len(unwritten), late),
                                 {"tenant": tenant_id, **params}).scalar_one_or_none()
        else:
            count = conn.execute(_LOCK_HEAD, {"tenant": tenant_id}).scalar_one_or_none()
        if count is None:
            count = locked_head(session, tenant_id, key).count
        events = by_tenant[tenant_id]
        count += len(events)
        last = events[-1].hash
        conn.execute(_MOVE_HEAD, {"tenant": tenant_id, "count": count, "last_hash": last,
                                  "updated_at": utcnow(),
                                  "mac": head_mac(key, tenant_id, count, last)})


def locked_head(session: Session, tenant_id: int, key: bytes) -> AuditHead:
    """The tenant's head, locked for this transaction; created empty the first time."""
    lock = (select(AuditHead).where(AuditHead.tenant_id == tenant_id).with_for_update()
            .execution_options(populate_existing=True))
    head = session.execute(lock).scalar_one_or_none()
    if head is not None:
        return head
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(AuditHead).values(
        tenant_id=tenant_id, count=0, last_hash=GENESIS, updated_at=utcnow(),
        mac=head_mac(key, tenant_id, 0, GENESIS)).on_conflict_do_nothing(
        index_elements=["tenant_id"]))
    return session.execute(lock).scalar_one()


def set_head(head: AuditHead, key: bytes, count: int, last_hash: str) -> None:
    head.count, head.last_hash, head.updated_at = count, last_hash, utcnow()
    head.mac = head_mac(key, head.tenant_id, count, last_hash)


_HOOKS = Listeners(Session, ("before_commit", _move_heads),
                   ("after_soft_rollback", _forget_pending),
                   ("do_orm_execute", _write_before_reading))
