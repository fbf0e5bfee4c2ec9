"""The SMS gateway section is refused in words when it could not send: a preset
without its account or password, a generic JSON body a customer's text could break."""

from __future__ import annotations

import pytest

from tests.unit.definitions.test_notification_definitions import (
    GATEWAY,
    NOTIFICATIONS,
    _bundle,
    _problems,
    _with,
)
from workorders.definitions.sms_body import is_json_body, json_body_problem


def _sms(base_text: str, settings: str) -> str:
    return _with(base_text, NOTIFICATIONS + f"  sms: {{{GATEWAY}, {settings}}}\n")


def test_46elks_needs_its_user_name_and_both_presets_a_password(base_text: str) -> None:
    elks = _problems(_sms(base_text, "provider: elks46"))
    assert ("/notifications/sms", "46elks needs your API user name") in elks
    assert ("/notifications/sms", "46elks signs in with a password kept as a tenant "
            "secret") in elks
    twilio = _problems(_sms(base_text, "provider: twilio, account: AC1"))
    assert {path for path, _ in twilio} == {"/notifications/sms"}
    assert ("/notifications/sms", "Twilio signs in with a password kept as a tenant "
            "secret") in twilio
    ok = _bundle(_sms(base_text, "provider: elks46, account: u1, secret: SMS_KEY"))
    assert ok.notifications.sms and ok.notifications.sms.account == "u1"


def test_a_generic_json_body_with_a_value_outside_quotes_is_refused(base_text: str) -> None:
    problems = _problems(_sms(base_text, "provider: generic, "
                              "body: '{\"to\": \"{{ to }}\", \"text\": {{ text }}}'"))
    [(path, message)] = [p for p in problems if p[0].startswith("/notifications/sms")]
    assert path == "/notifications/sms/body"
    assert "not valid JSON" in message and "inside quotes" in message
    good = "provider: generic, body: '{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\"}'"
    assert _bundle(_sms(base_text, good)).notifications.sms is not None


@pytest.mark.parametrize(("body", "json_", "problem"), [
    ('{"to": "{{ to }}"}', True, False),
    ('  [{"to": "{{ to }}"}]', True, False),
    ('{"to": {{ to }}}', True, True),
    ('{"to": "{{ to }}",}', True, True),
    ("to={{ to }}&text={{ text }}", False, False),
    ('{"to": "{{ nope(1) }}"}', True, False),  # not renderable: its own check says why
])
def test_which_bodies_are_json_and_which_are_safe(body: str, json_: bool,
                                                  problem: bool) -> None:
    assert is_json_body(body) is json_
    assert (json_body_problem(body) is not None) is problem
