"""The shape of booking data, checked before any case is touched.

Customer and site keys are the ones rules and connectors rely on (see
definitions.vocabulary); unknown keys are errors, not silently kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workorders.definitions.vocabulary import ADDRESS_KEYS, CUSTOMER_KEYS, SITE_KEYS
from workorders.errors import ValidationFailed
from workorders.forms import messages as msg

ADDRESS_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {k: {"type": ["string", "null"], "maxLength": 200} for k in ADDRESS_KEYS},
}
CUSTOMER_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "properties": {
        **{k: {"type": ["string", "null"], "maxLength": 200} for k in CUSTOMER_KEYS
           if k != "address"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {"type": ["string", "null"], "maxLength": 254,
                  "pattern": "^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "x-message": msg.EMAIL},
        "peppol_id": {"type": ["string", "null"], "maxLength": 60,
                      "pattern": "^$|^[0-9]{4}:[^\\s]{1,50}$", "x-message": msg.PEPPOL_ID},
        "address": ADDRESS_SCHEMA,
    },
}
SITE_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {k: {"type": ["string", "null"], "maxLength": 500} for k in SITE_KEYS},
}
_DATETIME = {"type": ["string", "null"], "maxLength": 40,
             "description": "ISO 8601 with a UTC offset, e.g. 2026-11-26T08:00:00+01:00"}
_COMMON = {
    "title": {"type": "string", "minLength": 1, "maxLength": 300},
    "customer": CUSTOMER_SCHEMA,
    "site": SITE_SCHEMA,
    "scheduled_start": _DATETIME,
    "scheduled_end": _DATETIME,
    "assignee": {"type": ["string", "null"], "maxLength": 254},
    "fields": {"type": "object"},
}
BOOKING_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "required": ["case_type", "title", "customer"],
    "properties": {"case_type": {"type": "string", "maxLength": 63}, **_COMMON},
}
PATCH_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": _COMMON,
}
TRANSITION_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["transition"],
    "properties": {"transition": {"type": "string", "maxLength": 63},
                   "comment": {"type": ["string", "null"], "maxLength": 2000}},
}


def parse_datetime(value: str | None, path: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("invalid date and time", [{
            "path": path, "message": f"'{value}' is not an ISO 8601 date and time"}]) from None
    if parsed.tzinfo is None:
        raise ValidationFailed("date and time without a UTC offset", [{
            "path": path, "message": "add the UTC offset, e.g. +01:00 or Z"}])
    return parsed.astimezone(UTC)


def check_window(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed("the scheduled end is before the start", [{
            "path": "/scheduled_end", "message": "the end must not be before the start"}])


def clean_mapping(value: dict[str, Any] | None) -> dict[str, Any]:
    """Drop empty values so 'not given' has one spelling (absent)."""
    out: dict[str, Any] = {}
    for key, item in (value or {}).items():
        if isinstance(item, dict):
            item = clean_mapping(item)
        if item not in (None, "", {}):
            out[key] = item.strip() if isinstance(item, str) else item
    return out
