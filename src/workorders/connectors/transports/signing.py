"""HMAC signatures of outgoing deliveries (``X-Workorders-Signature``).

``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: signing the timestamp with
the body lets a receiver reject replays of an old delivery, and the ``v1`` label
leaves room to rotate the scheme. The secret is the tenant secret the connector or
webhook names (``secret``); it is never logged or stored by this package.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_s: int = 300,
                     now: float | None = None) -> bool:
    """Receiver side: is ``header`` a valid, fresh signature of ``body``?"""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
