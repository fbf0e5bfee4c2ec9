"""Notification and connector checks: templates, recipients, formats, transports and
secrets (a bundle names one of its own tenant's secrets, never holds one)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from . import codelists
from . import vocabulary as v
from .check_rules import check_recipient, trigger_problem
from .context import Context, report_duplicates
from .mandatory_options import HINT as MANDATORY_HINT
from .mandatory_options import mandatory_option_problem
from .schema_check import suggest
from .secret_names import LEGACY_SECRET_KEY, secret_name_problem
from .sms_body import BODY_NAMES, json_body_problem
from .templates import INVOICE_EXTRAS, TEMPLATE_EXTRAS, template_problems

_SECRET_HINT = ("keep the secret out of the bundle: set it for the tenant with `workorders "
                "secrets set --tenant <slug> ERP_WEBHOOK` (or PUT /api/v1/secrets/ERP_WEBHOOK) "
                "and name it here, e.g. secret: ERP_WEBHOOK")
#: the SMS presets that sign in with the account and a password (the tenant secret)
_SMS_PASSWORD = {"twilio": "Twilio", "elks46": "46elks"}
#: line fields a CSV column template can use besides the case facts
LINE_EXTRAS = tuple(f"line.{k}" for k in (
    "kind", "description", "article_number", "quantity", "unit_code", "unit_price",
    "vat_category", "vat_rate", "net_amount", "date", "technician"))


def _secret(ctx: Context, path: str, raw: Mapping[str, Any], user: str) -> None:
    """The secret a webhook or transport signs with: a well-formed name, given once,
    and (when the tenant's secret names are known) set for the tenant."""
    if "secret" in raw and LEGACY_SECRET_KEY in raw:
        ctx.out.error(f"{path}/{LEGACY_SECRET_KEY}", "give the secret's name once, under "
                      "'secret'", "remove 'secret_env'", at_key=True)
        return
    key = "secret" if "secret" in raw else LEGACY_SECRET_KEY
    name = raw.get(key)
    if name is None:
        return
    problem = secret_name_problem(name)
    if problem:
        ctx.out.error(f"{path}/{key}", f"{key}: {problem}", _SECRET_HINT)
        return
    set_hint = (f"set it with `workorders secrets set --tenant <slug> {name}` or "
                f"PUT /api/v1/secrets/{name}")
    if key == LEGACY_SECRET_KEY:
        ctx.out.warn(f"{path}/{key}", f"'secret_env' is read as the name of one of this "
                     f"tenant's secrets ('{name}'), never as a server environment variable",
                     f"write 'secret: {name}' instead, and {set_hint}", at_key=True)
    if ctx.secret_names is not None and name not in ctx.secret_names:
        ctx.out.warn(f"{path}/{key}", f"the tenant has no secret named '{name}': {user} "
                     "cannot sign, so its deliveries fail until the secret is set", set_hint)


def check_notifications(ctx: Context) -> None:
    raw: dict[str, Any] = ctx.data.get("notifications") or {}
    vocab = ctx.vocabulary(ctx.case_type_ids(), TEMPLATE_EXTRAS)
    notices = [n for n in raw.get("on_enter", {}).values() if isinstance(n, dict)]
    used = {p["template"] for r in ctx.data.get("rules", []) for a in r["then"]
            for k, p in a.items() if k == "notify"} | {n["template"] for n in notices}
    hooks_used = {to for r in ctx.data.get("rules", []) for a in r["then"]
                  for k, p in a.items() if k == "notify" for to in p["to"]}
    hooks_used |= {to for n in notices for to in n["to"]}
    for name, template in raw.get("templates", {}).items():
        path = f"/notifications/templates/{name}"
        texts = [(path, template)] + [(f"{path}/locales/{tag}", text)
                                      for tag, text in template.get("locales", {}).items()]
        for where, text in texts:
            if template["channel"] == "email" and "subject" not in text:
                ctx.out.error(where, f"email template '{name}' needs a subject")
            if template["channel"] != "email" and "subject" in text:
                ctx.out.warn(f"{where}/subject", f"{template['channel']} messages have no "
                             "subject")
            for key in ("subject", "body"):
                for message, hint in template_problems(text.get(key, ""), vocab):
                    ctx.out.error(f"{where}/{key}", message, hint)
        if name not in used:
            ctx.out.warn(path, f"template '{name}' is never used by a notify action or "
                         "on_enter")
    for name, hook in raw.get("webhooks", {}).items():
        _secret(ctx, f"/notifications/webhooks/{name}", hook, f"webhook '{name}'")
        if f"webhook:{name}" not in hooks_used:
            ctx.out.warn(f"/notifications/webhooks/{name}", f"webhook '{name}' is never used")
    _check_on_enter(ctx, raw.get("on_enter", {}))
    _check_channels(ctx)
    quiet = raw.get("quiet_hours")
    if quiet and quiet["start"] == quiet["end"]:
        ctx.out.error("/notifications/quiet_hours", "quiet hours start and end at the same "
                      "time", "give the hour SMS should stop (start) and start again (end), "
                      "e.g. start: \"21:00\", end: \"07:00\"")
    if "sms" in raw:
        _check_sms(ctx, raw["sms"])


def _check_on_enter(ctx: Context, on_enter: Mapping[str, Any]) -> None:
    states = {s.id: s for ct in ctx.bundle.case_types for s in ct.lifecycle.states}
    for state_id, notice in on_enter.items():
        path = f"/notifications/on_enter/{state_id}"
        if state_id not in states:
            ctx.out.error(path, f"no case type has a state '{state_id}'",
                          suggest(state_id, states) or "on_enter is keyed by state ids",
                          at_key=True)
        elif states[state_id].id in {ct.lifecycle.initial for ct in ctx.bundle.case_types} \
                and not any(t.to == state_id for ct in ctx.bundle.case_types
                            for t in ct.lifecycle.transitions):
            ctx.out.warn(path, f"'{state_id}' is only entered by booking, and booking sends "
                         "no on_enter message", at_key=True)
        if not isinstance(notice, dict):
            continue
        if notice["template"] not in ctx.template_ids():
            ctx.out.error(f"{path}/template", f"unknown notification template "
                          f"'{notice['template']}'",
                          suggest(notice["template"], ctx.template_ids()))
        for k, recipient in enumerate(notice["to"]):
            check_recipient(ctx, f"{path}/to/{k}", recipient)


def _check_channels(ctx: Context) -> None:
    """In-app messages reach staff only; a customer has no bell to ring."""
    from .notice_defaults import template_named

    sends: list[tuple[str, str, list[str]]] = [
        (f"/rules/{i}/then/{k}/notify", p["template"], p["to"])
        for i, r in enumerate(ctx.data.get("rules", [])) for k, a in enumerate(r["then"])
        for kind, p in a.items() if kind == "notify"]
    sends += [(f"/notifications/on_enter/{state}", n["template"], n["to"])
              for state, n in (ctx.data.get("notifications") or {}).get("on_enter", {}).items()
              if isinstance(n, dict)]
    for path, template_id, to in sends:
        template = template_named(ctx.bundle, template_id)
        if template is None:
            continue
        if template.channel == "in_app" and "customer" in to:
            ctx.out.error(f"{path}/to", f"'{template_id}' is an in-app message, and customers "
                          "do not sign in", "send the customer an email or SMS template")
        if template.channel == "in_app" and any(t.startswith("webhook:") for t in to):
            ctx.out.error(f"{path}/to", f"'{template_id}' is an in-app message; a webhook "
                          "cannot read it", "use a webhook template for webhooks")


def _check_sms(ctx: Context, sms: Mapping[str, Any]) -> None:
    path = "/notifications/sms"
    _secret(ctx, path, sms, "the SMS gateway")
    if sms["provider"] == "generic" and "body" not in sms:
        ctx.out.error(path, "a generic SMS gateway needs a body template",
                      'e.g. body: \'{"to": "{{ to }}", "from": "{{ sender }}", '
                      '"text": "{{ text }}"}\'')
    if sms["provider"] != "generic" and "body" in sms:
        ctx.out.warn(f"{path}/body", f"the {sms['provider']} preset builds its own request "
                     "body; this one is not used")
    if sms["provider"] == "twilio" and "account" not in sms:
        ctx.out.error(path, "Twilio needs your account SID", "add account: AC...")
    if sms["provider"] == "elks46" and "account" not in sms:
        ctx.out.error(path, "46elks needs your API user name", "add account: u...")
    if sms["provider"] in _SMS_PASSWORD and "secret" not in sms:
        ctx.out.error(path, f"{_SMS_PASSWORD[sms['provider']]} signs in with a password kept "
                      "as a tenant secret", "add secret: SMS_PASSWORD and set it for the tenant")
    if "body" in sms:
        sms_vocab = ctx.vocabulary((), BODY_NAMES)
        for message, hint in template_problems(sms["body"], sms_vocab):
            ctx.out.error(f"{path}/body", message, hint)
        if sms["provider"] == "generic" and (problem := json_body_problem(sms["body"])):
            ctx.out.error(f"{path}/body", problem)


def check_connectors(ctx: Context) -> None:
    connectors = ctx.data.get("connectors", [])
    report_duplicates(ctx.out, ((c["id"], f"/connectors/{i}/id")
                                for i, c in enumerate(connectors)), "connector id")
    all_case_types = list(ctx.case_type_ids())
    for i, raw in enumerate(connectors):
        path = f"/connectors/{i}"
        problem = trigger_problem(ctx, raw["on"], all_case_types)
        if problem:
            ctx.out.error(f"{path}/on", problem[0], problem[1])
        _check_options(ctx, f"{path}/options", raw["format"], raw.get("options", {}))
        _check_transport(ctx, f"{path}/transport", raw["transport"])
        _secret(ctx, f"{path}/transport", raw["transport"], f"connector '{raw['id']}'")


def _check_options(ctx: Context, path: str, fmt: str, options: dict[str, Any]) -> None:
    allowed = (*v.COMMON_OPTIONS, *v.FORMAT_OPTIONS[fmt])
    vocab = ctx.vocabulary(ctx.case_type_ids(), INVOICE_EXTRAS,
                           ("form.", "form_id", "submission.", "actor.", "previous."))
    for key, value in options.items():
        if key not in allowed:
            ctx.out.error(f"{path}/{key}", f"option '{key}' does not apply to format '{fmt}'",
                          suggest(key, allowed) or f"options for {fmt}: {', '.join(allowed)}",
                          at_key=True)
        elif key in v.TEMPLATE_OPTIONS:
            _templates(ctx, f"{path}/{key}", value, vocab)
            problem = mandatory_option_problem(fmt, key, value)
            if problem:
                ctx.out.error(f"{path}/{key}", problem, MANDATORY_HINT)
    for k, column in enumerate(options.get("columns", [])):
        line_vocab = ctx.vocabulary(ctx.case_type_ids(), (*INVOICE_EXTRAS, *LINE_EXTRAS),
                                    ("form.", "form_id", "submission.", "actor.", "previous."))
        _templates(ctx, f"{path}/columns/{k}/value", column["value"], line_vocab)
    known = {lab.code for lab in ctx.bundle.catalog.labor}
    known |= {a.number for a in ctx.bundle.catalog.articles}
    for key in options.get("article_map", {}):
        if key not in known:
            ctx.out.error(f"{path}/article_map/{key}", f"'{key}' is neither a labour code nor "
                          "an article number", suggest(key, known), at_key=True)
    for key in options.get("unit_map", {}):
        if key not in codelists.units():
            ctx.out.error(f"{path}/unit_map/{key}", f"'{key}' is not a UN/ECE Rec 20 unit code",
                          at_key=True)


def _templates(ctx: Context, path: str, value: str, vocab: Any) -> None:
    for message, hint in template_problems(value, vocab):
        ctx.out.error(path, message, hint)


def _check_transport(ctx: Context, path: str, raw: dict[str, Any]) -> None:
    needs = {"http": ("url",), "file": ("directory",)}[raw["type"]]
    foreign = {"http": ("directory",), "file": ("url", "secret", LEGACY_SECRET_KEY,
                                                "timeout_s", "max_attempts")}[raw["type"]]
    for key in needs:
        if key not in raw:
            ctx.out.error(path, f"a {raw['type']} transport needs '{key}'")
    for key in foreign:
        if key in raw:
            ctx.out.error(f"{path}/{key}", f"'{key}' does not apply to a {raw['type']} "
                          "transport", at_key=True)
    directory = raw.get("directory")
    if raw["type"] == "file" and directory is not None:
        posix, windows = PurePosixPath(directory), PureWindowsPath(directory)
        if posix.is_absolute() or windows.is_absolute() or windows.drive:
            ctx.out.error(f"{path}/directory", f"the directory '{directory}' is absolute",
                          "use a folder name relative to the tenant's export folder")
        elif ".." in posix.parts or ".." in windows.parts:
            ctx.out.error(f"{path}/directory", f"the directory '{directory}' contains '..'",
                          "use a folder name relative to the tenant's export folder")
    if raw["type"] == "http" and str(raw.get("url", "")).startswith("http://"):
        ctx.out.warn(f"{path}/url", "the URL is not https: invoices would travel unencrypted")
