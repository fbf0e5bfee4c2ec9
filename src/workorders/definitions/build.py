"""Plain, schema-valid data -> the frozen model.

Runs only on data that passed the JSON Schema, so shapes are known; references are
not resolved here (the semantic checks do that) and nothing here can fail on a
dangling name. Defaults of the format are applied here and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .codelists import to_decimal
from .conditions import parse_condition
from .formatting import DEFAULT_TIMEZONE
from .model import (
    Action,
    Address,
    Article,
    Bundle,
    CaseType,
    Catalog,
    Connector,
    EnterNotice,
    Field,
    FieldCondition,
    Form,
    GoldenTest,
    InvoiceSeries,
    Labor,
    Lifecycle,
    LocalText,
    Notifications,
    NotificationTemplate,
    Option,
    Payment,
    QuietHours,
    Rule,
    Section,
    Seller,
    SmsGateway,
    State,
    Transition,
    Transport,
    Webhook,
)
from .secret_names import LEGACY_SECRET_KEY
from .vocabulary import DEFAULT_TRIGGERS


def freeze(value: Any) -> Any:
    """Deep read-only copy: mappings become proxies, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _decimal(value: Any) -> Decimal:
    number = to_decimal(value)
    return number if number is not None else Decimal(0)


def _humanize(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


def _seller(raw: Mapping[str, Any] | None) -> Seller | None:
    if raw is None:
        return None
    pay = raw.get("payment")
    series = raw.get("invoice_series") or {"start": 1}
    return Seller(
        name=raw["name"], org_number=raw["org_number"], address=Address(**raw["address"]),
        vat_id=raw.get("vat_id"), peppol_id=raw.get("peppol_id"), email=raw.get("email"),
        phone=raw.get("phone"), payment=Payment(**pay) if pay else None,
        invoice_series=InvoiceSeries(series.get("prefix", ""), series["start"]),
    )


def _catalog(raw: Mapping[str, Any] | None) -> Catalog:
    raw = raw or {"vat_rates": {}}
    rates = {k: _decimal(v) for k, v in raw["vat_rates"].items()}
    articles = tuple(Article(a["number"], a["name"], a["unit"], _decimal(a["price"]), a["vat"],
                             a.get("description"), a.get("gtin"))
                     for a in raw.get("articles", ()))
    labor = tuple(Labor(x["code"], x["name"], x.get("unit", "HUR"), _decimal(x["price"]),
                        x["vat"], x.get("description")) for x in raw.get("labor", ()))
    return Catalog(MappingProxyType(rates), articles, labor)


def _field_condition(raw: Mapping[str, Any] | None) -> FieldCondition | None:
    if raw is None:
        return None
    op = next(k for k in raw if k != "field")
    return FieldCondition(raw["field"], op, freeze(raw[op]))


def _option(raw: Any) -> Option:
    if isinstance(raw, str):
        return Option(raw, raw)
    return Option(raw["value"], raw.get("label", raw["value"]))


def build_field(raw: Mapping[str, Any]) -> Field:
    bound = {k: _decimal(raw[k]) if k in raw else None for k in ("min", "max")}
    return Field(
        id=raw["id"], type=raw["type"], label=raw.get("label") or _humanize(raw["id"]),
        help=raw.get("help"), placeholder=raw.get("placeholder"),
        required=raw.get("required", False),
        required_if=_field_condition(raw.get("required_if")),
        visible_if=_field_condition(raw.get("visible_if")), default=freeze(raw.get("default")),
        min=bound["min"], max=bound["max"], max_length=raw.get("max_length"),
        pattern=raw.get("pattern"), options=tuple(_option(o) for o in raw.get("options", ())),
        multiple=raw.get("multiple", False), labor=tuple(raw.get("labor", ())),
        catalog=raw.get("catalog"), allow_free_text=raw.get("allow_free_text", False),
        price_override=raw.get("price_override", False),
    )


def _form(raw: Mapping[str, Any]) -> Form:
    sections = tuple(Section(s.get("title"), tuple(build_field(f) for f in s["fields"]),
                             s.get("description")) for s in raw["sections"])
    return Form(raw["id"], raw["title"], sections, raw.get("description"))


def _transition(raw: Mapping[str, Any]) -> Transition:
    sources = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
    return Transition(
        id=raw["id"], from_states=tuple(sources), to=raw["to"], roles=tuple(raw["roles"]),
        label=raw.get("label") or _humanize(raw["id"]), requires=tuple(raw.get("requires", ())),
        requires_forms=tuple(raw.get("requires_forms", ())),
        requires_invoice_ready=raw.get("requires_invoice_ready", False),
        description=raw.get("description"),
    )


def _case_type(raw: Mapping[str, Any]) -> CaseType:
    life = raw["lifecycle"]
    states = tuple(State(s["id"], s.get("label") or _humanize(s["id"]), s.get("owner"),
                         s.get("final", False), s.get("work_complete", False),
                         s.get("description")) for s in life["states"])
    lifecycle = Lifecycle(life["initial"], states,
                          tuple(_transition(t) for t in life["transitions"]),
                          bool(life.get("on_my_way", False)))
    return CaseType(raw["id"], raw["name"], lifecycle,
                    raw.get("number_prefix") or raw["id"][:4].upper(),
                    tuple(build_field(f) for f in raw.get("fields", ())),
                    tuple(raw.get("forms", ())), raw.get("description"))


def _rule(raw: Mapping[str, Any], order: int) -> Rule:
    actions = tuple(Action(kind, freeze(params)) for a in raw["then"]
                    for kind, params in a.items())
    when = raw.get("when")
    return Rule(raw["id"], tuple(raw.get("on", DEFAULT_TRIGGERS)),
                parse_condition(when) if when is not None else None, actions,
                raw.get("description"), tuple(raw.get("case_types", ())), order,
                raw.get("per", "case"))


def _notifications(raw: Mapping[str, Any] | None) -> Notifications:
    raw = raw or {}
    templates = {k: _template(k, t) for k, t in raw.get("templates", {}).items()}
    hooks = {k: Webhook(k, w["url"], _secret_name(w))
             for k, w in raw.get("webhooks", {}).items()}
    on_enter = {state: EnterNotice(state, None) if notice == "off"
                else EnterNotice(state, notice["template"], tuple(notice["to"]))
                for state, notice in raw.get("on_enter", {}).items()}
    sms = raw.get("sms")
    quiet = raw.get("quiet_hours")
    throttle = raw.get("throttle") or {}
    return Notifications(
        MappingProxyType(templates), MappingProxyType(hooks), MappingProxyType(on_enter),
        defaults=raw.get("defaults", True),
        sms=SmsGateway(sms["provider"], sms["url"], sms["sender"], sms.get("secret"),
                       sms.get("account"), sms.get("body")) if sms else None,
        quiet_hours=QuietHours(quiet["start"], quiet["end"]) if quiet else None,
        per_recipient_per_hour=throttle.get("per_recipient_per_hour"),
        per_tenant_per_hour=throttle.get("per_tenant_per_hour"))


def _template(template_id: str, raw: Mapping[str, Any]) -> NotificationTemplate:
    locales = {tag: LocalText(text["body"], text.get("subject"))
               for tag, text in raw.get("locales", {}).items()}
    return NotificationTemplate(template_id, raw["channel"], raw["body"], raw.get("subject"),
                                raw.get("description"), raw.get("kind", "status"),
                                MappingProxyType(locales))


def _secret_name(raw: Mapping[str, Any]) -> str | None:
    """``secret``, or its old spelling ``secret_env`` (also a tenant secret's name)."""
    name: str | None = raw.get("secret", raw.get(LEGACY_SECRET_KEY))
    return name


def _connector(raw: Mapping[str, Any]) -> Connector:
    transport = {k: v for k, v in raw["transport"].items() if k != LEGACY_SECRET_KEY}
    return Connector(raw["id"], raw["format"], raw["on"],
                     Transport(**{**transport, "secret": _secret_name(raw["transport"])}),
                     freeze(raw.get("options", {})))


def _test(raw: Mapping[str, Any]) -> GoldenTest:
    submit, actor, previous = raw.get("submit"), raw.get("actor"), raw.get("previous")
    return GoldenTest(raw["name"], freeze(raw["case"]), freeze(raw["expect"]),
                      freeze(submit) if submit else None, raw.get("transition"),
                      freeze(actor) if actor else None, raw.get("description"),
                      freeze(previous) if previous is not None else None)


def build_bundle(data: Mapping[str, Any]) -> Bundle:
    """The model of schema-valid ``data`` (defaults applied)."""
    return Bundle(
        format=data["format"], name=data["name"], currency=data["currency"],
        locale=data.get("locale", "en-GB"), catalog=_catalog(data.get("catalog")),
        case_types=tuple(_case_type(c) for c in data["case_types"]),
        forms=tuple(_form(f) for f in data.get("forms", ())),
        rules=tuple(_rule(r, i) for i, r in enumerate(data.get("rules", ()))),
        notifications=_notifications(data.get("notifications")),
        connectors=tuple(_connector(c) for c in data.get("connectors", ())),
        tests=tuple(_test(t) for t in data.get("tests", ())),
        seller=_seller(data.get("seller")),
        timezone=data.get("timezone") or DEFAULT_TIMEZONE,
        logo=(data.get("branding") or {}).get("logo"),
    )
