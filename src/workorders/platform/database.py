"""Engine set-up that differs per database, and tenant-scoped lookups.

Every data access takes the tenant explicitly: ``get_for_tenant`` answers
``NotFound`` both for a missing id and for another tenant's id, so a foreign id
is indistinguishable from a missing one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, inspect, make_url, select
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import MANYTOONE, Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import ConnectionPoolEntry

from workorders.errors import NotFound
from workorders.platform.extensions import db
from workorders.platform.listeners import Listeners
from workorders.platform.private_paths import create_private_file

T = TypeVar("T")


def engine_options(url: str) -> dict[str, Any]:
    """No pre-ping: it costs a round trip on every checkout, i.e. every request.
    A connection the server dropped fails the one statement that meets it; the
    pool then invalidates every connection older than the drop, and
    ``pool_recycle`` retires connections before a firewall's idle cut-off would."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_size": 10, "max_overflow": 20, "pool_recycle": 1800}


def create_sqlite_file(url: str) -> None:
    """Create a SQLite database file with mode 0600 before SQLite would create it
    with the umask's (often world-readable) mode; its WAL files take the same mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if path.parent.is_dir():  # else SQLite itself reports the missing folder on connect
        create_private_file(path)


def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """SQLite: WAL for concurrent readers, foreign keys on, and transactions
    begun by us (see ``_on_begin``) instead of by the driver."""
    module = type(dbapi_conn).__module__
    if "sqlite" not in module:
        return
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _on_begin(conn: Any) -> None:
    """Reads begin deferred; a unit of work asks for ``sqlite_immediate`` so it
    takes the write lock up front and never fails upgrading a read lock."""
    if conn.dialect.name == "sqlite":
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_PRAGMAS = Listeners(Engine, ("connect", _on_connect), ("begin", _on_begin))


def install_sqlite_pragmas() -> None:
    _PRAGMAS.install()


def _refresh_moved_links(session: Session, _context: Any) -> None:
    """Objects keep their values after a commit (``expire_on_commit=False``: the
    answer is built from what was written), so a many-to-one relationship loaded
    before its foreign key changed would go on naming the old row. When a flush
    writes a changed foreign key, that relationship loads again when next read."""
    for obj in session.dirty:
        state = inspect(obj)
        moved = [rel.key for rel in state.mapper.relationships
                 if rel.direction is MANYTOONE and any(
                     state.attrs[state.mapper.get_property_by_column(col).key]
                     .history.has_changes() for col in rel.local_columns)]
        if moved:
            session.expire(obj, moved)


_FRESH = Listeners(Session, ("after_flush", _refresh_moved_links))


def install_fresh_relationships() -> None:
    _FRESH.install()


def get_for_tenant(model: type[T], ident: Any, tenant_id: int, *, lock: bool = False) -> T:
    """The row ``ident`` of ``model`` if it belongs to ``tenant_id``; else NotFound."""
    if not lock:  # a row this request has read already is not read again
        known = db.session.identity_map.get(identity_key(model, ident))
        if known is not None and not inspect(known).expired:
            if getattr(known, "tenant_id", None) != tenant_id:
                raise NotFound(f"{model.__name__} {ident} not found")
            return known
    stmt = select(model).where(
        model.id == ident, model.tenant_id == tenant_id)  # type: ignore[attr-defined]
    if lock:
        stmt = stmt.with_for_update(of=model)  # not the eagerly joined rows
    row = db.session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{model.__name__} {ident} not found")
    return row


def lock_tenant(tenant_id: int) -> None:
    """Serialise a tenant's counters (version numbers, case numbers) for the rest of
    the transaction: a row lock on PostgreSQL; SQLite's unit of work already holds
    the database write lock."""
    from workorders.platform.models import Tenant

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())


def begin_write(session: Any) -> None:
    """Start ``session``'s next transaction as a writer (BEGIN IMMEDIATE on SQLite).

    A deferred SQLite transaction that writes can fail at once with "database is
    locked" when another writer commits between its read and its write; taking
    the write lock at BEGIN makes it wait its turn instead.
    """
    if session.in_transaction():
        if session.get_bind().dialect.name != "sqlite":
            return  # PostgreSQL: the request's read (its actor) and its write are one
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})
