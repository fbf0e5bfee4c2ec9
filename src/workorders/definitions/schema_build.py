"""Builds the bundle's JSON Schema (Draft 2020-12) from the shared vocabulary.

The schema is written to ``schema/bundle.schema.json`` (package data) and to
``docs/definition-schema.json``; a test asserts both equal :func:`build_schema`, so
the vocabulary, the shipped file and the published document cannot drift. Run
``python -m workorders.definitions.schema_build`` from the repository root after a
change. The schema checks shape only; cross-references are semantic checks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import vocabulary as v
from .limits import MAX_INVOICE_START

ID_PATTERN = "^[a-z][a-z0-9_]{0,62}$"
_LOCALE = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_TRIGGER = ("^(submit|correct|draft|migrate|on_my_way|reschedule|"
            "(transition|enter):[a-z][a-z0-9_]{0,62})$")
_EXPORT_TRIGGER = "^(transition|enter):[a-z][a-z0-9_]{0,62}$"

ID = {"$ref": "#/$defs/id"}
IDS = {"type": "array", "items": ID}
TEXT = {"type": "string", "minLength": 1}
SECRET_NAME = {**TEXT, "description": "the name of one of the tenant's secrets, never the secret"}
LEGACY_SECRET = {**TEXT, "deprecated": True,
                 "description": "the old spelling of 'secret': a tenant secret's name too, "
                                "never a server environment variable"}
BOOL = {"type": "boolean"}
DECIMAL = {"$ref": "#/$defs/decimal"}
EMAIL = {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
         "description": "an email address"}


def obj(properties: dict[str, Any], *required: str, **extra: Any) -> dict[str, Any]:
    """A closed object: unknown keys are errors (typos must never be ignored)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def array(items: dict[str, Any], min_items: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": items}
    if min_items:
        schema["minItems"] = min_items
    return schema


def id_map(values: dict[str, Any]) -> dict[str, Any]:
    """A mapping keyed by ids (notification templates, webhooks, VAT categories)."""
    return {"type": "object", "propertyNames": ID, "additionalProperties": values}


def _seller() -> dict[str, Any]:
    address = obj({"street": TEXT, "street2": TEXT, "city": TEXT, "postal_code": TEXT,
                   "region": TEXT, "country": {"type": "string", "pattern": "^[A-Z]{2}$",
                                               "description": "an ISO 3166 country code"}},
                  "street", "city", "postal_code", "country")
    payment = obj({"means_code": {"type": "string", "pattern": "^[0-9]{1,3}$"},
                   "account": TEXT, "account_scheme": TEXT, "bic": TEXT,
                   "terms_days": {"type": "integer", "minimum": 0, "maximum": 365}},
                  "means_code", "account")
    series = obj({"prefix": {"type": "string", "pattern": "^[A-Za-z0-9-]{0,10}$"},
                  "start": {"type": "integer", "minimum": 1,
                            "maximum": MAX_INVOICE_START}}, "start")
    return obj({"name": TEXT, "org_number": TEXT, "vat_id": TEXT,
                "peppol_id": {"type": "string", "pattern": "^[0-9]{4}:[^\\s]+$",
                              "description": "<EAS scheme>:<identifier>"},
                "email": EMAIL, "phone": TEXT, "address": address, "payment": payment,
                "invoice_series": series}, "name", "org_number", "address")


def _catalog() -> dict[str, Any]:
    unit = {"type": "string", "minLength": 1,
            "description": "a UN/ECE Recommendation 20 unit code (HUR, EA, MTR, ...)"}
    article = obj({"number": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"},
                   "name": TEXT, "description": TEXT, "unit": unit, "price": DECIMAL,
                   "vat": ID, "gtin": {"type": "string", "pattern": "^[0-9]{8,14}$"}},
                  "number", "name", "unit", "price", "vat")
    labor = obj({"code": ID, "name": TEXT, "description": TEXT, "unit": unit,
                 "price": DECIMAL, "vat": ID}, "code", "name", "price", "vat")
    return obj({"vat_rates": id_map(DECIMAL), "articles": array(article),
                "labor": array(labor)}, "vat_rates")


def _field() -> dict[str, Any]:
    condition = obj({"field": ID, "equals": {}, "not_equals": {}, "in": {"type": "array"},
                     "present": BOOL}, "field", minProperties=2, maxProperties=2)
    option = {"anyOf": [TEXT, obj({"value": TEXT, "label": TEXT}, "value")]}
    return obj({"id": ID, "type": {"enum": list(v.FIELD_TYPES)}, "label": TEXT, "help": TEXT,
                "placeholder": TEXT, "required": BOOL, "required_if": condition,
                "visible_if": condition, "default": {}, "min": {"type": "number"},
                "max": {"type": "number"}, "max_length": {"type": "integer", "minimum": 1},
                "pattern": {"type": "string"}, "options": array(option), "multiple": BOOL,
                "labor": IDS, "catalog": {"enum": ["articles"]}, "allow_free_text": BOOL,
                "price_override": BOOL}, "id", "type")


def _case_type() -> dict[str, Any]:
    state = obj({"id": ID, "label": TEXT, "description": TEXT, "owner": TEXT,
                 "final": BOOL, "work_complete": BOOL}, "id")
    transition = obj({"id": ID, "label": TEXT, "description": TEXT,
                      "from": {"anyOf": [ID, array(ID, 1)]}, "to": ID,
                      "roles": array(TEXT, 1), "requires": array(TEXT),
                      "requires_forms": IDS, "requires_invoice_ready": BOOL},
                     "id", "from", "to", "roles")
    lifecycle = obj({"initial": ID, "states": array(state, 1),
                     "transitions": array(transition), "on_my_way": BOOL},
                    "initial", "states", "transitions")
    return obj({"id": ID, "name": TEXT, "description": TEXT,
                "number_prefix": {"type": "string", "pattern": "^[A-Z][A-Z0-9]{0,9}$"},
                "fields": array({"$ref": "#/$defs/field"}), "forms": IDS,
                "lifecycle": lifecycle}, "id", "name", "lifecycle")


def _form() -> dict[str, Any]:
    section = obj({"title": TEXT, "description": TEXT,
                   "fields": array({"$ref": "#/$defs/field"}, 1)}, "fields")
    return obj({"id": ID, "title": TEXT, "description": TEXT,
                "sections": array(section, 1)}, "id", "title", "sections")


def _condition() -> dict[str, Any]:
    kinds = ("fact", "all", "any", "not", "any_item", "all_items")
    cond = {"$ref": "#/$defs/condition"}
    fact = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*$"}
    extra = {"fact": ("where",), "any_item": ("op", "value"), "all_items": ("op", "value")}
    exclusive: dict[str, Any] = {}
    for kind in kinds:
        forbidden = [k for k in kinds if k != kind] + list(extra.get(kind, ("op", "value",
                                                                              "where")))
        exclusive[kind] = {"properties": dict.fromkeys(forbidden, False)}
    exclusive["fact"]["required"] = ["op"]
    exclusive["any_item"]["required"] = exclusive["all_items"]["required"] = ["where"]
    return obj({"fact": fact, "op": {"enum": list(v.OPS)}, "value": {},
                "all": array(cond, 1), "any": array(cond, 1), "not": cond,
                "any_item": fact, "all_items": fact, "where": cond},
               anyOf=[{"required": [k]} for k in kinds], dependentSchemas=exclusive)


def _rule() -> dict[str, Any]:
    params = {
        "raise_exception": obj({"code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{1,62}$",
                                         "description": "an UPPER_CASE code"},
                                "severity": {"enum": list(v.SEVERITIES)}, "assign": TEXT,
                                "message": TEXT}, "code"),
        "require_approval": obj({"role": TEXT, "user": TEXT, "customer": {"const": True},
                                 "reason": TEXT}),
        "block_invoicing": obj({"reason": TEXT}, "reason"),
        "notify": obj({"template": ID, "to": array(TEXT, 1)}, "template", "to"),
        "set_field": obj({"field": ID, "value": {}}, "field", "value"),
        "transition": obj({"id": ID}, "id"),
        "assign": obj({"user": TEXT, "role": TEXT}),
    }
    action = obj(params, minProperties=1, maxProperties=1)
    return obj({"id": ID, "description": TEXT, "case_types": array(ID, 1),
                "on": array({"type": "string", "pattern": _TRIGGER,
                             "description": "submit, correct, draft, migrate, on_my_way, "
                                            "reschedule, transition:<id> or enter:<state>"}, 1),
                "per": {"enum": list(v.RULE_SCOPES),
                        "description": "case (default): one outcome per case, whichever form "
                                       "set it off; form: one per form"},
                "when": {"$ref": "#/$defs/condition"}, "then": array(action, 1)},
               "id", "then")


def _outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    local = obj({"subject": TEXT, "body": TEXT}, "body")
    template = obj({"channel": {"enum": list(v.CHANNELS)}, "subject": TEXT, "body": TEXT,
                    "description": TEXT,
                    "kind": {"enum": list(v.TEMPLATE_KINDS),
                             "description": "status (default; customers may opt out) or "
                                            "action (asks the customer to act)"},
                    "locales": {"type": "object", "propertyNames": {"pattern": _LOCALE},
                                "additionalProperties": local,
                                "description": "the message in other languages, by tag"}},
                   "channel", "body")
    webhook = obj({"url": {"type": "string", "pattern": "^https?://[^\\s]+$"},
                   "secret": SECRET_NAME, "secret_env": LEGACY_SECRET}, "url")
    notice = obj({"template": ID, "to": array(TEXT, 1)}, "template", "to")
    on_enter = {"type": "object", "propertyNames": ID,
                "additionalProperties": {"oneOf": [notice, {"const": "off"}]},
                "description": "state id -> {template, to}, or off for no message"}
    sms = obj({"provider": {"enum": list(v.SMS_PROVIDERS)},
               "url": {"type": "string", "pattern": "^https?://[^\\s]+$"},
               "sender": {"type": "string", "minLength": 1, "maxLength": 15},
               "secret": SECRET_NAME, "account": TEXT, "body": TEXT},
              "provider", "url", "sender")
    clock = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
             "description": "HH:MM in the tenant's time zone"}
    hourly = {"type": "integer", "minimum": 1, "maximum": 100000}
    notifications = obj({"templates": id_map(template), "webhooks": id_map(webhook),
                         "on_enter": on_enter, "defaults": BOOL, "sms": sms,
                         "quiet_hours": obj({"start": clock, "end": clock}, "start", "end"),
                         "throttle": obj({"per_recipient_per_hour": hourly,
                                          "per_tenant_per_hour": hourly})})
    column = obj({"name": TEXT, "value": TEXT}, "name", "value")
    string_map = {"type": "object", "additionalProperties": TEXT}
    option_props: dict[str, Any] = {"article_map": string_map, "unit_map": string_map,
                                    "delimiter": {"type": "string", "minLength": 1,
                                                  "maxLength": 1},
                                    "decimal": {"enum": [",", "."]},
                                    "encoding": {"enum": ["utf-8", "windows-1252"]},
                                    "header": BOOL, "columns": array(column, 1)}
    for key in (*v.TEMPLATE_OPTIONS, "company", "cost_center", "income_account"):
        option_props.setdefault(key, TEXT)
    transport = obj({"type": {"enum": list(v.TRANSPORTS)},
                     "url": {"type": "string", "pattern": "^https?://[^\\s]+$"},
                     "secret": SECRET_NAME, "secret_env": LEGACY_SECRET,
                     "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
                     "max_attempts": {"type": "integer", "minimum": 1, "maximum": 50},
                     "directory": TEXT}, "type")
    connector = obj({"id": ID, "format": {"enum": list(v.CONNECTOR_FORMATS)},
                     "on": {"type": "string", "pattern": _EXPORT_TRIGGER,
                            "description": "transition:<id> or enter:<state>"},
                     "options": obj(option_props), "transport": transport},
                    "id", "format", "on", "transport")
    return notifications, connector


def _golden_test() -> dict[str, Any]:
    case = obj({"case_type": ID, "status": ID, "fields": {"type": "object"},
                "customer": {"type": "object"}, "site": {"type": "object"},
                "assignee": EMAIL, "scheduled_start": TEXT, "scheduled_end": TEXT},
               "case_type", "status")
    submit = obj({"form": ID, "data": {"type": "object"},
                  "kind": {"enum": list(v.SUBMISSION_KINDS)}}, "form", "data")
    expect = obj({"fired": IDS, "not_fired": IDS, "invoice_ready": BOOL,
                  "exceptions": array({"type": "string"}), "approvals": array(TEXT),
                  "notified": IDS, "status": ID}, minProperties=1)
    previous = obj({"scheduled_start": TEXT, "scheduled_end": TEXT, "assignee": EMAIL},
                   description="a reschedule test: the window and technician before the "
                               "move (case holds the new ones); runs the reschedule rules")
    return obj({"name": TEXT, "description": TEXT, "case": case, "submit": submit,
                "transition": ID, "previous": previous,
                "actor": obj({"role": TEXT, "email": EMAIL}),
                "expect": expect}, "name", "case", "expect")


def build_schema() -> dict[str, Any]:
    notifications, connector = _outputs()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://workorders.example/schemas/definition-bundle.json",
        "title": "workorders definition bundle (workorders/v1)",
        "description": "A tenant's catalog, case types, forms, rules, notifications, "
                       "connectors and golden tests. See docs/definitions.md.",
        **obj({"format": {"const": v.FORMAT}, "name": TEXT,
               "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
               "locale": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$"},
               "timezone": {**TEXT, "description": "the IANA time zone the tenant's people "
                            "read times in, e.g. Europe/Stockholm (the default)"},
               "branding": obj({"logo": {**TEXT, "description": "the logo itself as a data: "
                                         "URL (PNG, JPEG or WebP, at most 64 KB), e.g. "
                                         "data:image/png;base64,iVBORw0..."}}),
               "seller": _seller(), "catalog": _catalog(),
               "case_types": array({"$ref": "#/$defs/case_type"}, 1),
               "forms": array({"$ref": "#/$defs/form"}),
               "rules": array({"$ref": "#/$defs/rule"}),
               "notifications": notifications, "connectors": array(connector),
               "tests": array(_golden_test())},
              "format", "name", "currency", "case_types"),
        "$defs": {
            "id": {"type": "string", "pattern": ID_PATTERN,
                   "description": "an id: lowercase letters, digits and _, starting with "
                                  "a letter, at most 63 characters"},
            "decimal": {"type": ["number", "string"], "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
                        "description": "a decimal number such as 695.00"},
            "case_type": _case_type(), "field": _field(), "form": _form(),
            "condition": _condition(), "rule": _rule(),
        },
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    text = render()
    Path(__file__).with_name("schema").joinpath("bundle.schema.json").write_text(text, "utf-8")
    Path("docs").mkdir(exist_ok=True)
    Path("docs/definition-schema.json").write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
