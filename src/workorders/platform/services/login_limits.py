"""Failed-login limits per email and per client address, counted atomically.

An attempt is counted *before* its password is checked, by one upsert per key
that answers the new count (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``,
the same on PostgreSQL and SQLite). Parallel guesses therefore queue on the
counter row and each sees its own number; only those within the limit get a
password check. A login that succeeds takes its count back, so only failures
(and refused attempts) use up the limit.

The per-address limit is higher than the per-email one: one address is often
a whole office behind NAT, and one person's typos must not lock out the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workorders.errors import RateLimited
from workorders.platform.models import LoginCounter
from workorders.platform.models.types import UTCDateTime, utcnow
from workorders.platform.services.unit_of_work import transaction


class TooManyAttempts(RateLimited):
    """Too many failed logins in the window (HTTP 429)."""


@dataclass(frozen=True)
class LoginLimits:
    per_email: int
    per_address: int
    window_seconds: int


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"email:{email}"[:300], f"address:{address}"[:300]


def _count(session: Session, key: str, now: datetime, since: datetime) -> int:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stale = LoginCounter.window_start < since
    upsert = insert(LoginCounter).values(key=key, window_start=now, attempts=1)
    upsert = upsert.on_conflict_do_update(index_elements=[LoginCounter.key], set_={
        "attempts": case((stale, 1), else_=LoginCounter.attempts + 1),
        "window_start": case((stale, literal(now, UTCDateTime())),
                             else_=LoginCounter.window_start),
    })
    return int(session.execute(upsert.returning(LoginCounter.attempts)).scalar_one())


def count_attempt(email: str, address: str, limits: LoginLimits) -> None:
    """Count one login attempt; refuse it (429) past either limit, right password or not."""
    now = utcnow()
    since = now - timedelta(seconds=limits.window_seconds)
    email_key, address_key = _keys(email, address)
    with transaction() as session:
        for_email = _count(session, email_key, now, since)
        for_address = _count(session, address_key, now, since)
    if for_email > limits.per_email or for_address > limits.per_address:
        raise TooManyAttempts("too many failed logins; wait a few minutes and try again")


def forgive_attempt(email: str, address: str, window_seconds: int) -> None:
    """A successful login is no failure: take back what ``count_attempt`` added,
    and drop counters whose window has passed (without waiting on anyone's lock)."""
    since = utcnow() - timedelta(seconds=window_seconds)
    with transaction() as session:
        session.execute(update(LoginCounter).where(
            LoginCounter.key.in_(_keys(email, address)), LoginCounter.attempts > 0)
            .values(attempts=LoginCounter.attempts - 1))
        expired = (select(LoginCounter.key).where(LoginCounter.window_start < since)
                   .with_for_update(skip_locked=True))
        session.execute(delete(LoginCounter).where(LoginCounter.key.in_(expired)))
