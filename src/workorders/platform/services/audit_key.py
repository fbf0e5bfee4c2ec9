"""The key that seals audit hashes and heads, derived from the instance secret key.

One source: ``Settings.secret_key`` (configured, or generated once into the
instance dir). The label keeps this key unrelated to every other use of the
secret key (sessions, signed links, tenant secrets).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from workorders.platform.config import settings_of

_LABEL = b"workorders audit chain v1"


def chain_key(secret_key: str | None = None) -> bytes:
    secret = secret_key if secret_key is not None else \
        settings_of(current_app).secret_key
    return hmac.new(secret.encode("utf-8"), _LABEL, hashlib.sha256).digest()


def mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()
