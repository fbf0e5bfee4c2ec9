"""The closed vocabularies of the format (field types, ops, actions, roles...).

Shared by the JSON Schema builder, the semantic checks, the model and the docs so a
word means the same thing everywhere.
"""

from __future__ import annotations

from .conditions import OPS, UNARY_OPS

FORMAT = "workorders/v1"
ROLES = ("admin", "coordinator", "technician", "viewer")
#: Transitions the platform performs on its own (exports, rule actions) use this role.
SYSTEM_ROLE = "system"
#: Who may own a state: a role, the case's assignee or the customer.
STATE_OWNERS = (*ROLES, "assignee", "customer")

FIELD_TYPES = (
    "text", "textarea", "integer", "decimal", "money", "boolean", "date", "datetime",
    "choice", "photos", "signature", "time_entries", "material_lines", "approval",
)
#: Field types allowed for case-level fields (set at booking; no line items or media).
CASE_FIELD_TYPES = (
    "text", "textarea", "integer", "decimal", "money", "boolean", "date", "datetime", "choice",
)
NUMERIC_FIELD_TYPES = ("integer", "decimal", "money")
#: Field types where ``min``/``max`` count items rather than bound a value.
COUNTED_FIELD_TYPES = ("photos", "time_entries", "material_lines")

#: Case attributes a transition may ``require``; ``customer.<key>`` and case field ids too.
CASE_ATTRIBUTES = ("assignee", "scheduled_start", "scheduled_end", "site", "customer")
CUSTOMER_KEYS = (
    "name", "email", "phone", "erp_id", "org_number", "vat_id", "peppol_id", "reference",
    "address",
)
ADDRESS_KEYS = ("street", "city", "postal_code", "country")
SITE_KEYS = ("name", "street", "city", "postal_code", "country", "access_notes")

TIME_ENTRY_KEYS = ("date", "hours", "start", "end", "labor", "technician", "billable", "note")
MATERIAL_LINE_KEYS = (
    "article", "description", "quantity", "unit", "unit_price", "billable", "note",
)

TOTALS = (
    "hours", "billable_hours", "labor_amount", "material_amount", "net_amount",
    "vat_amount", "gross_amount",
)
SUBMISSION_KINDS = ("draft", "final", "correction")
#: ``on_my_way``: the assigned technician says they are on their way (lifecycles with
#: ``on_my_way: true`` only)
#: ``reschedule``: a case's scheduled window or its technician changed (the case page's
#: Edit booking or ``PATCH /api/v1/cases/{id}``); ``case.*`` holds the new values
FIXED_TRIGGERS = ("submit", "correct", "draft", "migrate", "on_my_way", "reschedule")
RESCHEDULE = "reschedule"
#: ``previous.*``: what a rescheduled case had before the move, the same shapes as
#: ``case.*``; only a rule that runs on ``reschedule`` may read them (elsewhere they
#: are always missing)
PREVIOUS = "previous"
PREVIOUS_KEYS = ("scheduled_start", "scheduled_end", "assignee")
#: how rule sentences and traces name a ``previous.*`` fact: the case fact's words and this
PREVIOUS_WORDS = "before the move"
DEFAULT_TRIGGERS = ("submit", "correct")
#: ``per``: a rule keeps one outcome per case (default) or one per form it judges
RULE_SCOPES = ("case", "form")

ACTION_KINDS = (
    "raise_exception", "require_approval", "block_invoicing", "notify", "set_field",
    "transition", "assign",
)
#: Action parameters that are Jinja templates rendered over the facts.
ACTION_TEMPLATE_KEYS = {
    "raise_exception": ("message",),
    "require_approval": ("reason",),
    "block_invoicing": ("reason",),
    "set_field": ("value",),
}
SEVERITIES = ("low", "medium", "high", "critical")

CHANNELS = ("email", "sms", "webhook", "in_app")
#: ``status``: a customer may opt out; ``action``: asks the customer to act (never opted out)
TEMPLATE_KINDS = ("status", "action")
#: SMS gateways: ``generic`` (the admin writes the body), or a preset provider's REST shape
SMS_PROVIDERS = ("generic", "twilio", "elks46")
CONNECTOR_FORMATS = ("generic_json", "csv", "fortnox_invoice", "erpnext_sales_invoice",
                     "peppol_ubl")
TRANSPORTS = ("http", "file")
COMMON_OPTIONS = ("article_map", "unit_map")
FORMAT_OPTIONS: dict[str, tuple[str, ...]] = {
    "generic_json": (),
    "csv": ("delimiter", "decimal", "encoding", "header", "columns"),
    "fortnox_invoice": ("customer_number", "our_reference", "your_reference"),
    "erpnext_sales_invoice": ("customer", "company", "cost_center", "income_account"),
    "peppol_ubl": ("buyer_reference", "note"),
}
#: Option values that are templates (``columns[].value`` too).
TEMPLATE_OPTIONS = ("customer_number", "our_reference", "your_reference", "customer",
                    "buyer_reference", "note")

__all__ = ["OPS", "UNARY_OPS"]
