"""``notifications``: on_enter, the built-in messages, languages, quiet hours, SMS
gateway and throttle as the admin writes them, and what validation refuses."""

from __future__ import annotations

from typing import Any

import pytest

from workorders.definitions import Bundle, load_bundle
from workorders.definitions.formatting import formatting_of
from workorders.definitions.notice_defaults import BUILT_IN_TEMPLATES, notice_on_enter
from workorders.definitions.sandbox import FORMATTING_NAME
from workorders.definitions.templates import TEMPLATE_EXTRAS, template_problems
from workorders.rules.message_text import DEFAULT_TEXT, message_texts, text_for_reader

NOTIFICATIONS = (
    "notifications:\n  templates:\n    heads_up: {channel: email, subject: \"Check "
    "{{ case.number }}\", body: \"Hello {{ case.customer.name }}\"}\n")
GATEWAY = 'url: "https://api.example.test/sms", sender: Nordvarme'
NIGHT = '  quiet_hours: {start: "21:00", end: "07:30"}\n'



def _with(base_text: str, block: str) -> str:
    assert NOTIFICATIONS in base_text
    return base_text.replace(NOTIFICATIONS, block, 1)


def _bundle(text: str) -> Bundle:
    result = load_bundle(text)
    assert result.bundle is not None, [(p.path, p.message) for p in result.errors]
    return result.bundle


def _problems(text: str) -> set[tuple[str, str]]:
    return {(p.path, p.message) for p in load_bundle(text).errors}


def test_states_tell_their_owner_by_default(base_text: str) -> None:
    bundle = _bundle(base_text)
    case_type = bundle.case_types[0]
    assigned = notice_on_enter(bundle, case_type, "in_progress")
    assert assigned and assigned.to == ("assignee",) and assigned.template.id == "job_waiting"
    coordinators = notice_on_enter(bundle, case_type, "done")
    assert coordinators and coordinators.to == ("role:coordinator",)
    assert coordinators.template.channel == "in_app" and coordinators.built_in
    assert notice_on_enter(bundle, case_type, "invoiced") is None  # final: nobody to tell


def test_an_admin_chooses_switches_off_or_drops_the_defaults(base_text: str) -> None:
    text = _with(base_text, NOTIFICATIONS + """  on_enter:
    in_progress: {template: heads_up, to: [customer, role:admin]}
    done: off
""")
    bundle = _bundle(text)
    case_type = bundle.case_types[0]
    chosen = notice_on_enter(bundle, case_type, "in_progress")
    assert chosen and chosen.template.id == "heads_up" and not chosen.built_in
    assert chosen.to == ("customer", "role:admin")
    assert notice_on_enter(bundle, case_type, "done") is None
    none = _bundle(_with(base_text, NOTIFICATIONS + "  defaults: false\n"))
    assert notice_on_enter(none, none.case_types[0], "in_progress") is None


def test_a_bundle_template_replaces_a_built_in_one(base_text: str) -> None:
    bundle = _bundle(_with(base_text, NOTIFICATIONS + (
        "    job_waiting: {channel: sms, body: \"Job {{ case.number }}\"}\n")))
    planned = notice_on_enter(bundle, bundle.case_types[0], "in_progress")
    assert planned and planned.template.channel == "sms"


def test_on_enter_mistakes_are_refused_in_words(base_text: str) -> None:
    problems = _problems(_with(base_text, NOTIFICATIONS + """  on_enter:
    in_progres: {template: heads_up, to: [customer]}
    done: {template: heads_upp, to: [role:boss]}
    booked: {template: needs_your_role, to: [customer]}
""") + "\n")
    assert ("/notifications/on_enter/in_progres", "no case type has a state 'in_progres'") \
        in problems
    assert ("/notifications/on_enter/done/template",
            "unknown notification template 'heads_upp'") in problems
    assert ("/notifications/on_enter/done/to/0", "unknown role 'boss'") in problems
    assert any(path == "/notifications/on_enter/booked/to" and "in-app" in message
               for path, message in problems)


def test_every_language_is_checked_like_the_template(base_text: str) -> None:
    problems = _problems(_with(base_text, NOTIFICATIONS.replace(
        '"Hello {{ case.customer.name }}"}',
        '"Hello {{ case.customer.name }}", locales: {sv: {body: "Hej {{ case.kund }}"}}}')))
    assert ("/notifications/templates/heads_up/locales/sv", "email template 'heads_up' needs "
            "a subject") in problems
    assert any(path == "/notifications/templates/heads_up/locales/sv/body" for path, _ in problems)


def test_quiet_hours_sms_and_throttle_settings(base_text: str) -> None:
    throttle = "  throttle: {per_recipient_per_hour: 3}\n"
    elks = f"  sms: {{provider: elks46, {GATEWAY}, account: u1, secret: SMS_KEY}}\n"
    bundle = _bundle(_with(base_text, NOTIFICATIONS + NIGHT + throttle + elks))
    n = bundle.notifications
    assert (n.quiet_hours and n.quiet_hours.start, n.per_recipient_per_hour) == ("21:00", 3)
    assert n.sms and n.sms.provider == "elks46" and n.sms.secret == "SMS_KEY"
    same = '  quiet_hours: {start: "21:00", end: "21:00"}\n'
    generic = f"  sms: {{provider: generic, {GATEWAY}}}\n"
    no_clock = '  quiet_hours: {start: "25:00", end: "07:00"}\n'
    twilio = f"  sms: {{provider: twilio, {GATEWAY}}}\n"
    refused = set()
    for extra in (same + generic, no_clock, twilio):
        refused |= _problems(_with(base_text, NOTIFICATIONS + extra))
    paths = {path for path, _ in refused}
    assert {"/notifications/quiet_hours", "/notifications/sms",
            "/notifications/quiet_hours/start"} <= paths
    assert ("/notifications/sms", "a generic SMS gateway needs a body template") in refused
    assert ("/notifications/sms", "Twilio needs your account SID") in refused


def _context(bundle: Bundle) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {"case": {"number": "INST-2026-00001", "customer": {"name": "Lena Berg"},
                     "assignee": {"name": "Erik", "email": "e@x.test"},
                     "scheduled_start": datetime(2026, 12, 7, 8, tzinfo=UTC),
                     "site": {"street": "Storgatan 12", "city": "Umeå"}, "fields": {}},
            "seller": {"name": "Nordvärme AB"}, "links": {"status_page": "S", "case": "C"},
            FORMATTING_NAME: formatting_of(bundle)}


def test_built_in_templates_validate_and_render_in_both_languages(nordvarme: Bundle) -> None:
    """What validation accepts must render: the built-ins go through the same checks
    an admin's template does, against a real bundle's facts."""
    from workorders.definitions.context import Context

    ctx = Context(nordvarme, {}, None)  # type: ignore[arg-type]
    vocab = ctx.vocabulary([c.id for c in nordvarme.case_types], TEMPLATE_EXTRAS)
    for template in BUILT_IN_TEMPLATES.values():
        for text in (template.text_for(None), *template.locales.values()):
            for source in (text.subject or "", text.body):
                assert template_problems(source, vocab) == [], (template.id, source)
        texts = message_texts(template, _context(nordvarme))
        assert "INST-2026-00001" in texts[DEFAULT_TEXT]["body"] + (
            texts[DEFAULT_TEXT]["subject"] or "")
    waiting = message_texts(BUILT_IN_TEMPLATES["job_waiting"], _context(nordvarme))
    assert "Jobbet INST-2026-00001 hos Lena Berg" in text_for_reader(waiting, "sv-SE")["body"]
    assert "the job INST-2026-00001" in text_for_reader(waiting, "en-GB")["body"]
    assert "dec." in text_for_reader(waiting, "sv")["body"]  # a Swedish date for a Swede


@pytest.mark.parametrize("wanted,expected", [("sv-SE", "sv"), ("sv", "sv"), ("SV_se", "sv"),
                                              ("en", None), (None, None)])
def test_a_reader_gets_their_language_else_the_tenants(wanted: str | None,
                                                        expected: str | None) -> None:
    from workorders.definitions.model import best_locale

    assert best_locale(["sv", "de-DE"], wanted) == expected
