"""The request each SMS gateway gets: shapes, authentication, escaping."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from workorders.connectors.sms import (
    SmsRequestError,
    build_sms_request,
    provider_message_id,
)
from workorders.definitions.model import SmsGateway

TEXT = 'Hej "Åsa" & Co!\nVi kommer 08:00.'
TO = "+46701234567"


def _basic(header: str) -> str:
    assert header.startswith("Basic ")
    return base64.b64decode(header[6:]).decode()


def test_twilio_gets_a_form_with_basic_auth() -> None:
    gateway = SmsGateway("twilio", "https://api.twilio.example/Messages.json", "Nordvarme",
                         account="AC123")
    request = build_sms_request(gateway, TO, TEXT, "token")
    assert request.content_type == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {"To": [TO], "From": ["Nordvarme"], "Body": [TEXT]}
    assert _basic(request.headers["Authorization"]) == "AC123:token"


def test_46elks_gets_its_own_field_names() -> None:
    gateway = SmsGateway("elks46", "https://api.46elks.example/a1/sms", "Nordvarme",
                         account="u123")
    request = build_sms_request(gateway, TO, TEXT, "pw")
    assert parse_qs(request.body.decode()) == {"from": ["Nordvarme"], "to": [TO],
                                               "message": [TEXT]}
    assert _basic(request.headers["Authorization"]) == "u123:pw"


def test_a_generic_json_body_escapes_the_values() -> None:
    gateway = SmsGateway("generic", "https://sms.example/send", "Nordvarme",
                         body='{"to": "{{ to }}", "from": "{{ sender }}", "text": "{{ text }}"}')
    request = build_sms_request(gateway, TO, TEXT + '", "admin": true, "x": "', "key")
    assert request.content_type == "application/json"
    sent = json.loads(request.body)
    assert set(sent) == {"to", "from", "text"}  # nothing injected
    assert sent["text"].startswith('Hej "Åsa" & Co!\nVi kommer')
    assert request.headers["Authorization"] == "Bearer key"


def test_a_generic_form_body_encodes_the_values() -> None:
    gateway = SmsGateway("generic", "https://sms.example/send", "Nordvarme",
                         body="to={{ to }}&msg={{ text }}")
    request = build_sms_request(gateway, TO, TEXT + "&admin=1", None)
    assert request.content_type == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {"to": [TO], "msg": [TEXT + "&admin=1"]}
    assert "Authorization" not in request.headers


def test_a_generic_body_that_is_not_json_after_rendering_is_refused() -> None:
    gateway = SmsGateway("generic", "https://sms.example/send", "N", body='{"to": {{ to }}}')
    with pytest.raises(SmsRequestError, match="valid JSON"):
        build_sms_request(gateway, TO, TEXT, None)


def test_the_providers_message_id_is_read_from_its_answer() -> None:
    assert provider_message_id("twilio", '{"sid": "SM1"}') == "SM1"
    assert provider_message_id("elks46", '{"id": "s9"}') == "s9"
    assert provider_message_id("generic", "ok") is None


def test_the_request_goes_to_the_gateways_url_from_its_sender() -> None:
    gateway = SmsGateway("twilio", "https://api.twilio.com/2010-04-01/Accounts/AC1/"
                         "Messages.json", "Nordvärme", account="AC1")
    request = build_sms_request(gateway, TO, "Hej", "token")
    assert request.url == gateway.url
    assert parse_qs(request.body.decode())["From"] == ["Nordvärme"]
    assert "Nordv%C3%A4rme" in request.body.decode()  # UTF-8, percent-encoded


def test_a_generic_json_body_keeps_unicode_and_line_breaks_as_json_escapes() -> None:
    gateway = SmsGateway("generic", "https://sms.example/send", "Nordvärme",
                         body='[{"to": "{{ to }}", "from": "{{ sender }}", "text": "{{ text }}"}]')
    request = build_sms_request(gateway, TO, TEXT, None)
    assert request.content_type == "application/json"
    assert json.loads(request.body) == [{"to": TO, "from": "Nordvärme", "text": TEXT}]
    assert "Åsa".encode() in request.body and b"\\n" in request.body


@pytest.mark.parametrize("body", ['{"text": {{ text }}}', '{"n": 1, "text": "a"{{ text }}}'])
def test_a_json_body_with_a_value_outside_quotes_is_refused_before_any_text(body: str) -> None:
    """Else a customer's ``1, "admin": true`` would be a field of its own."""
    gateway = SmsGateway("generic", "https://sms.example/send", "N", body=body)
    with pytest.raises(SmsRequestError, match="inside quotes"):
        build_sms_request(gateway, TO, '1, "admin": true', None)


def test_a_generic_secret_a_header_cannot_carry_is_refused_in_words() -> None:
    gateway = SmsGateway("generic", "https://sms.example/send", "N", body="to={{ to }}")
    with pytest.raises(SmsRequestError, match="line break") as raised:
        build_sms_request(gateway, TO, "Hej", "s3cr3t\r\nX-Evil: 1")
    assert "s3cr3t" not in str(raised.value)
