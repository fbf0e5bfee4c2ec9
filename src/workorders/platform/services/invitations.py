"""Signed links with which a person sets their own password.

A link names the login and a fingerprint of its current password hash (none
yet, for an invitation). Setting a password changes the hash, so the link works
once; it also expires after a week. Signed with the instance's secret key.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from workorders.errors import NotFound
from workorders.platform.extensions import db
from workorders.platform.models import User
from workorders.platform.services.customer_links import external_url
from workorders.platform.services.passwords import hash_password, set_password
from workorders.platform.services.unit_of_work import transaction

SET_PASSWORD_SALT = "workorders.set-password"
SET_PASSWORD_MAX_AGE = 7 * 24 * 3600
LINK_DAYS = SET_PASSWORD_MAX_AGE // (24 * 3600)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SET_PASSWORD_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def set_password_link(user: User) -> str:
    token = _serializer().dumps({"u": user.id, "p": _fingerprint(user)})
    return external_url("web.set_password", token=token)


def user_for_link(token: str, *, lock: bool = False) -> User:
    """The login a set-password link is for; NotFound, with the reason, when it is
    forged, expired or already used. ``lock`` holds the row until commit, so two
    submits of one link cannot both pass the fingerprint check."""
    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_MAX_AGE)
    except SignatureExpired:
        raise NotFound("this link has expired; ask your administrator to send a new one") from None
    except BadSignature:
        raise NotFound("this link is not valid; check that you copied all of it") from None
    user_id = data.get("u") if isinstance(data, dict) else None
    stmt = select(User).where(User.id == user_id)
    user = db.session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
    if user is None or not user.active:
        raise NotFound("this link is not valid; check that you copied all of it")
    if data.get("p") != _fingerprint(user):
        raise NotFound("this link has already been used; sign in with your password")
    return user


def set_password_from_link(token: str, password: str) -> User:
    with transaction() as session:
        user = user_for_link(token, lock=True)
        set_password(session, user, hash_password(password))
    return user
