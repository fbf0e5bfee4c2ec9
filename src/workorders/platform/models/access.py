"""Server-side browser sessions and login-failure counters.

A session row is what makes a session cookie worth anything: logging out or
changing the password deletes rows, so a copied cookie stops working at once.
Counters are one row per key, changed with a single upsert, so parallel guesses
cannot all read "below the limit" before any of them is counted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workorders.platform.extensions import Base
from workorders.platform.models.types import UTCDateTime, utcnow


class UserSession(Base):
    """One signed-in browser. The cookie holds a random key; only its SHA-256 is
    stored, like API tokens, so a database leak does not sign anyone in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginCounter(Base):
    """Login attempts not (yet) known to have succeeded, per ``email:`` or
    ``address:`` key, since ``window_start``."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
