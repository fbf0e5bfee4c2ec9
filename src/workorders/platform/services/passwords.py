"""Passwords: one hash method per instance, and the same cost for every check.

A login for an unknown email still runs one hash check (against a dummy hash of
the configured method), so answering it takes as long as a wrong password for a
real person and response times do not tell which emails have logins.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workorders.errors import ValidationFailed
from workorders.platform.auth import end_sessions_of
from workorders.platform.config import settings_of
from workorders.platform.models import User

MIN_PASSWORD_LENGTH = 10
TOO_SHORT = f"passwords need at least {MIN_PASSWORD_LENGTH} characters"


def check_password_length(password: str, path: str = "/password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(TOO_SHORT, [{"path": path, "message": TOO_SHORT}])


def _hash_method() -> str:
    return settings_of(current_app).password_hash_method


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def password_matches(user: User | None, password: str) -> bool:
    """True only for an active login whose password this is; every answer costs one hash."""
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return False
    return check_password_hash(user.password_hash, password) and user.active


def set_password(session: Session, user: User, password_hash: str) -> None:
    """Change a password and sign the person out everywhere: whoever knew the old
    one, or holds a copied cookie, must not stay in."""
    user.password_hash = password_hash
    end_sessions_of(session, user.id)
