"""The shape of booking data, checked before any case is touched.

Customer and site keys are the ones rules and connectors rely on (see
definitions.vocabulary); unknown keys are errors, not silently kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workorders.definitions.model import Bundle
from workorders.definitions.notice_defaults import sends_sms_to_customer
from workorders.definitions.vocabulary import ADDRESS_KEYS, CUSTOMER_KEYS, SITE_KEYS
from workorders.errors import ValidationFailed
from workorders.forms import messages as msg
from workorders.forms.phones import default_region, e164, locale_region, mobile_problem

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


def phone_region(customer: dict[str, Any] | None, site: dict[str, Any] | None,
                 locale: str | None) -> str | None:
    """Where a number without a country code is read: the customer's country,
    the site's, else the region of the tenant's locale (``sv-SE`` → SE)."""
    address = (customer or {}).get("address") or {}
    return default_region(address.get("country") if isinstance(address, dict) else None,
                          (site or {}).get("country"), locale_region(locale))


def phone_errors(customer: dict[str, Any] | None, site: dict[str, Any] | None,
                 locale: str | None, *, needs_mobile: bool = False) -> list[dict[str, Any]]:
    """The customer phone's error (``/customer/phone``, forms.messages.PHONE), or
    none: the booking and edit pages ask this before the service, which asks it
    again through :func:`checked_customer`, so both say the same sentence.
    ``needs_mobile`` (the tenant texts its customers): a landline is refused too,
    with the sentence a send would fail with (``forms.phones.mobile_problem``)."""
    phone = (customer or {}).get("phone")
    if not isinstance(phone, str) or not phone.strip():
        return []
    try:
        number = e164(phone, phone_region(customer, site, locale))
    except ValueError as exc:
        return [{"path": "/customer/phone", "message": str(exc)}]
    problem = mobile_problem(number) if needs_mobile else None
    return [{"path": "/customer/phone", "message": problem}] if problem else []


def checked_customer(customer: dict[str, Any] | None, site: dict[str, Any] | None,
                     bundle: Bundle) -> dict[str, Any]:
    """The customer as stored: empty values dropped and the phone in E.164
    (``+46701234567``), so "Call" links and SMS reach one spelling. A number
    that is not one (or not a mobile one, when the bundle texts customers)
    raises ``ValidationFailed`` before anything is written."""
    locale = bundle.locale
    cleaned = clean_mapping(customer)
    errors = phone_errors(cleaned, site, locale, needs_mobile=sends_sms_to_customer(bundle))
    if errors:
        raise ValidationFailed("the customer's phone number cannot be used", errors)
    if cleaned.get("phone"):
        cleaned["phone"] = e164(str(cleaned["phone"]), phone_region(cleaned, site, locale))
    return cleaned
