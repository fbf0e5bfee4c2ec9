"""The outcome of one delivery attempt, as the platform records it.

Transports never raise for delivery failures (a 500, a time-out, a refused address):
the outbox records every attempt with its status and error and decides on retries,
so a failure is data, not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None = None
    #: False when retrying cannot help until someone changes something (a refused
    #: address, a bad URL, a different file already at the target name).
    retryable: bool = True
