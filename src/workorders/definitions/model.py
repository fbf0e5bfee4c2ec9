"""The frozen, typed model of a valid bundle: what the forms, rules and connectors
packages compile from.

Everything is immutable (frozen dataclasses, tuples, read-only mappings) because a
published version is immutable and one model is shared by every request of a worker
process. Money and rates are ``Decimal``. Optional parts of the format default to
empty values here, so consumers never re-implement the format's defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from decimal import Decimal
from typing import Any

from .conditions import Condition
from .model_catalog import Address, Article, Catalog, InvoiceSeries, Labor, Payment, Seller

__all__ = [
    "Action", "Address", "Article", "Bundle", "CaseType", "Catalog", "Connector", "EnterNotice",
    "Field", "FieldCondition", "Form", "GoldenTest", "InvoiceSeries", "Labor", "Lifecycle",
    "LocalText", "NotificationTemplate", "Notifications", "Option", "Payment", "QuietHours",
    "Rule", "Section", "Seller", "SmsGateway", "State", "Transition", "Transport", "Webhook",
]


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """``visible_if`` / ``required_if``: ``op`` is equals, not_equals, in or present."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    type: str
    label: str
    help: str | None = None
    placeholder: str | None = None
    required: bool = False
    required_if: FieldCondition | None = None
    visible_if: FieldCondition | None = None
    default: Any = None
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    pattern: str | None = None
    options: tuple[Option, ...] = ()
    multiple: bool = False
    labor: tuple[str, ...] = ()
    catalog: str | None = None
    allow_free_text: bool = False
    price_override: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    title: str | None
    fields: tuple[Field, ...]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    id: str
    title: str
    sections: tuple[Section, ...]
    description: str | None = None

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True, slots=True)
class State:
    id: str
    label: str
    owner: str | None = None
    final: bool = False
    work_complete: bool = False
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    id: str
    from_states: tuple[str, ...]
    to: str
    roles: tuple[str, ...]
    label: str
    requires: tuple[str, ...] = ()
    requires_forms: tuple[str, ...] = ()
    requires_invoice_ready: bool = False
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Lifecycle:
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    #: the assigned technician may say "On my way" before the work starts (rule
    #: trigger ``on_my_way``, e.g. to text the customer)
    on_my_way: bool = False

    def state(self, state_id: str) -> State | None:
        return next((s for s in self.states if s.id == state_id), None)

    def transition(self, transition_id: str) -> Transition | None:
        return next((t for t in self.transitions if t.id == transition_id), None)

    def transitions_from(self, state_id: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if state_id in t.from_states)


@dataclass(frozen=True, slots=True)
class CaseType:
    id: str
    name: str
    lifecycle: Lifecycle
    number_prefix: str
    fields: tuple[Field, ...] = ()
    forms: tuple[str, ...] = ()
    description: str | None = None

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True, slots=True)
class Action:
    """One ``then`` entry: ``kind`` (raise_exception, notify, ...) and its parameters."""

    kind: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    on: tuple[str, ...]
    when: Condition | None
    then: tuple[Action, ...]
    description: str | None = None
    #: restricts the rule to these case types; empty means every case type
    case_types: tuple[str, ...] = ()
    #: position in the bundle: actions apply in this order
    order: int = 0
    #: ``case``: one outcome per case whichever form sets it off; ``form``: one per form
    per: str = "case"

    def applies_to(self, case_type_id: str) -> bool:
        return not self.case_types or case_type_id in self.case_types


@dataclass(frozen=True, slots=True)
class LocalText:
    """A template's subject and body in one language."""

    body: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationTemplate:
    id: str
    channel: str
    body: str
    subject: str | None = None
    description: str | None = None
    #: ``status`` (a customer may opt out of these) or ``action`` (an approval or a
    #: signature the customer must give: never opted out of)
    kind: str = "status"
    #: the same message in other languages, keyed by a language tag (``en``, ``sv-SE``)
    locales: Mapping[str, LocalText] = _field(default_factory=dict)

    def text_for(self, locale: str | None) -> LocalText:
        """The text for ``locale`` (see :func:`best_locale`), else the template's
        own ``subject`` and ``body``."""
        tag = best_locale(self.locales, locale)
        return self.locales[tag] if tag is not None else LocalText(self.body, self.subject)


def best_locale(tags: Iterable[str], wanted: str | None) -> str | None:
    """Of ``tags``, the one for a reader of ``wanted``: the exact tag, else one of
    the same language (``sv`` for ``sv-SE`` and the other way round), else None."""
    if not wanted:
        return None
    wanted = wanted.replace("_", "-").lower()
    tags = list(tags)
    for tag in tags:
        if tag.lower() == wanted:
            return tag
    language = wanted.split("-")[0]
    return next((tag for tag in tags if tag.lower().split("-")[0] == language), None)


@dataclass(frozen=True, slots=True)
class EnterNotice:
    """What a case entering ``state`` sends: ``template`` to ``to``; ``template``
    None means the admin switched the state's message off."""

    state: str
    template: str | None
    to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SmsGateway:
    """The HTTP SMS gateway a tenant sends text messages through."""

    provider: str  # generic | twilio | elks46
    url: str
    sender: str
    secret: str | None = None  # the name of a tenant secret, never its value
    account: str | None = None  # the provider's account id or user name
    body: str | None = None  # generic only: the request body template


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Hours (in the tenant's time zone) when SMS to customers waits for morning."""

    start: str  # "HH:MM"
    end: str  # "HH:MM"


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: str
    secret: str | None = None  # the name of a tenant secret, never its value


@dataclass(frozen=True, slots=True)
class Notifications:
    templates: Mapping[str, NotificationTemplate]
    webhooks: Mapping[str, Webhook]
    #: state id -> what entering it sends, as the admin wrote it
    on_enter: Mapping[str, EnterNotice] = _field(default_factory=dict)
    #: False: no built-in message for states the admin did not list
    defaults: bool = True
    sms: SmsGateway | None = None
    quiet_hours: QuietHours | None = None
    #: the tenant's own limits; the server's limits apply when lower
    per_recipient_per_hour: int | None = None
    per_tenant_per_hour: int | None = None


@dataclass(frozen=True, slots=True)
class Transport:
    type: str
    url: str | None = None
    secret: str | None = None  # the name of a tenant secret, never its value
    timeout_s: float = 10.0
    max_attempts: int = 8
    directory: str | None = None


@dataclass(frozen=True, slots=True)
class Connector:
    id: str
    format: str
    on: str
    transport: Transport
    #: the raw options (read-only), exactly as written: formats interpret them
    options: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GoldenTest:
    """A golden case: the raw ``case``/``submit``/``expect`` mappings, read-only.

    ``previous`` (the window and technician before a move; ``case`` holds the new
    ones) makes it a reschedule test, as ``submit`` and ``transition`` make theirs."""

    name: str
    case: Mapping[str, Any]
    expect: Mapping[str, Any]
    submit: Mapping[str, Any] | None = None
    transition: str | None = None
    actor: Mapping[str, Any] | None = None
    description: str | None = None
    previous: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Bundle:
    """A whole, valid tenant configuration with the lookups consumers need."""

    format: str
    name: str
    currency: str
    locale: str
    catalog: Catalog
    case_types: tuple[CaseType, ...]
    forms: tuple[Form, ...] = ()
    rules: tuple[Rule, ...] = ()
    notifications: Notifications = Notifications({}, {})
    connectors: tuple[Connector, ...] = ()
    tests: tuple[GoldenTest, ...] = ()
    seller: Seller | None = None
    #: the IANA zone the tenant's people read times in (pages, customer pages,
    #: emails); ``formatting.DEFAULT_TIMEZONE`` when the bundle names none
    timezone: str = "Europe/Stockholm"
    #: the tenant's logo as written: a ``data:image/...;base64,`` URL, checked at
    #: validation (``branding.read_logo``) and served by the platform, never fetched
    logo: str | None = None

    def case_type(self, case_type_id: str) -> CaseType | None:
        return next((c for c in self.case_types if c.id == case_type_id), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def forms_of(self, case_type_id: str) -> tuple[Form, ...]:
        """The forms a case type uses, in its ``forms`` order."""
        case_type = self.case_type(case_type_id)
        if case_type is None:
            return ()
        return tuple(f for fid in case_type.forms if (f := self.form(fid)) is not None)

    def rules_for(self, case_type_id: str, trigger: str) -> tuple[Rule, ...]:
        """Rules that run for this case type on this trigger, in bundle order.

        A correction is evaluated exactly like a submission (a corrected report
        must raise what the same report submitted first raises), so the rules
        listed for ``submit`` run on ``correct`` too. A case moved to another
        version (``migrate``) is judged again the same way, by its new rules.
        """
        wanted = {trigger, "submit"} if trigger in ("correct", "migrate") else {trigger}
        return tuple(r for r in self.rules
                     if r.applies_to(case_type_id) and not wanted.isdisjoint(r.on))

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def article(self, number: str) -> Article | None:
        return next((a for a in self.catalog.articles if a.number == number), None)

    def labor(self, code: str) -> Labor | None:
        return next((lab for lab in self.catalog.labor if lab.code == code), None)

    def vat_rate(self, category: str) -> Decimal | None:
        return self.catalog.vat_rate(category)

    def connector(self, connector_id: str) -> Connector | None:
        return next((c for c in self.connectors if c.id == connector_id), None)

    def template(self, template_id: str) -> NotificationTemplate | None:
        return self.notifications.templates.get(template_id)
