"""Transports deliver a payload's bytes: ``http`` (signed POST) and ``file`` (atomic write).

Both return a :class:`DeliveryResult` instead of raising, so the platform's outbox can
record every attempt and schedule retries.
"""

from __future__ import annotations

from .addresses import OutboundPolicy
from .file import deliver_file, export_filename, target_directory
from .http import deliver_http
from .result import DeliveryResult
from .signing import signature, verify_signature

__all__ = ["DeliveryResult", "OutboundPolicy", "deliver_file", "deliver_http",
           "export_filename", "signature", "target_directory", "verify_signature"]
