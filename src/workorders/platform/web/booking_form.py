"""The booking form: fixed booking data as a Flask-WTF form, the case type's own
fields read from the request by type, and the turn of both into the API's
booking body.

Times are typed as local wall-clock times (``datetime-local``) and a time zone
chosen beside them (the browser's zone by default, see ``display``); the pair
becomes an ISO 8601 time with its UTC offset, exactly what the API takes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from workorders.definitions.model import CaseType, Field
from workorders.platform.web.display import DEFAULT_ZONE, valid_zone

CUSTOMER_KEYS = ("name", "email", "phone", "erp_id", "org_number", "vat_id", "peppol_id")
ADDRESS_KEYS = ("street", "postal_code", "city", "country")
SITE_KEYS = ("name", "street", "postal_code", "city", "country", "access_notes")
FIELD_PREFIX = "f-"
_short = [Optional(), Length(max=200)]


class BookingForm(FlaskForm):
    case_type = HiddenField(validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    customer_name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    customer_email = EmailField("Email", validators=[Optional(), Length(max=254)])
    customer_phone = StringField("Phone", validators=_short)
    customer_erp_id = StringField("ERP customer id", validators=_short)
    customer_org_number = StringField("Organisation number", validators=_short)
    customer_vat_id = StringField("VAT id", validators=_short)
    customer_peppol_id = StringField("Peppol id", validators=[Optional(), Length(max=60)])
    customer_street = StringField("Street", validators=_short)
    customer_postal_code = StringField("Postal code", validators=_short)
    customer_city = StringField("City", validators=_short)
    customer_country = StringField("Country", validators=[Optional(), Length(max=2)])
    site_name = StringField("Site name", validators=_short)
    site_street = StringField("Street", validators=_short)
    site_postal_code = StringField("Postal code", validators=_short)
    site_city = StringField("City", validators=_short)
    site_country = StringField("Country", validators=[Optional(), Length(max=2)])
    site_access_notes = TextAreaField("Access notes", validators=[Optional(), Length(max=500)])
    scheduled_start = DateTimeLocalField("Start", format="%Y-%m-%dT%H:%M",
                                         validators=[Optional()])
    scheduled_end = DateTimeLocalField("End", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    timezone = SelectField("Time zone", validate_choice=False)
    assignee = SelectField("Technician", validate_choice=True)


def field_for_path(path: str) -> str | None:
    """The form field an API error path belongs to (``/customer/address/city`` ->
    ``customer_city``), or None when no single field is to blame."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0] == "fields" and len(parts) > 1:
        return FIELD_PREFIX + parts[1]
    if parts[0] == "customer" and len(parts) > 2 and parts[1] == "address":
        return f"customer_{parts[2]}"
    if parts[0] in ("customer", "site") and len(parts) > 1:
        return f"{parts[0]}_{parts[1]}"
    return parts[0]


def aware(value: datetime | None, zone_name: str) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(valid_zone(zone_name) or DEFAULT_ZONE)).isoformat()


def _text(form: BookingForm, name: str) -> str:
    value = getattr(form, name).data
    return value.strip() if isinstance(value, str) else ""


def case_field_value(field: Field, raw: MultiDict[str, str], zone: str) -> Any:
    """One case field's typed value from the request, or None when left empty.
    Wrong input is passed on as typed so the shared validator can say why."""
    name = FIELD_PREFIX + field.id
    if field.type == "boolean":
        return raw.get(name) in ("on", "true", "1")
    text = (raw.get(name) or "").strip()
    if text == "":
        return None
    if field.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if field.type == "datetime":
        try:
            return aware(datetime.fromisoformat(text), zone)
        except ValueError:
            return text
    if field.type in ("decimal", "money"):
        return text.replace(",", ".").replace(" ", "")
    return text


def booking_body(form: BookingForm, case_type: CaseType,
                 raw: MultiDict[str, str]) -> dict[str, Any]:
    """The same body ``POST /api/v1/cases`` takes; empty values left out."""
    zone = form.timezone.data or DEFAULT_ZONE
    customer: dict[str, Any] = {k: _text(form, f"customer_{k}") for k in CUSTOMER_KEYS}
    address = {k: _text(form, f"customer_{k}") for k in ADDRESS_KEYS}
    if address.get("country"):
        address["country"] = address["country"].upper()
    customer["address"] = {k: v for k, v in address.items() if v}
    site = {k: _text(form, f"site_{k}") for k in SITE_KEYS}
    if site.get("country"):
        site["country"] = site["country"].upper()
    fields = {f.id: v for f in case_type.fields
              if (v := case_field_value(f, raw, zone)) is not None}
    return {
        "case_type": case_type.id,
        "title": _text(form, "title"),
        "customer": {k: v for k, v in customer.items() if v not in ("", {})},
        "site": {k: v for k, v in site.items() if v},
        "scheduled_start": aware(form.scheduled_start.data, zone),
        "scheduled_end": aware(form.scheduled_end.data, zone),
        "assignee": form.assignee.data or None,
        "fields": fields,
    }
