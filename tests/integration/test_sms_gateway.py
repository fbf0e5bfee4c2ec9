"""One text message through ``jobs.sms.deliver_sms`` to a real local gateway: the
exact request each provider gets, the generic one signed like exports, which
answers are retried and which are dead, and the outbox file without a gateway."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask

from tests.support.exports import Receiver, running_receiver
from tests.support.processes import free_port
from tests.support.world import World
from workorders.connectors.transports import verify_signature
from workorders.definitions.model import SmsGateway
from workorders.forms.phones import mobile_problem
from workorders.platform.jobs.registry import PermanentJobError

MOBILE = "+46701234567"
TEXT = 'Hej "Åsa" & Co!\nVi kommer 08:00.'
PASSWORD = "gateway-password"
KEY = "notification-7"
JSON_BODY = '{"to": "{{ to }}", "from": "{{ sender }}", "message": "{{ text }}"}'


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


@pytest.fixture
def tenant(world: World) -> Iterator[int]:
    """Tenant a, with its gateway password set, inside an app context (as a job)."""
    from workorders.platform.services.tenant_secrets import set_secret

    with world.app.app_context():
        set_secret(world.a.tenant_id, "SMS_PASSWORD", PASSWORD, world.a.emails["admin"])
        yield world.a.tenant_id


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as gateway:
        yield gateway


def _send(app: Flask, tenant_id: int, gateway: SmsGateway | None, to: str = MOBILE) -> Any:
    from workorders.platform.jobs.sms import deliver_sms

    return deliver_sms(app, tenant_id, gateway, to, TEXT, KEY)


def _basic(headers: dict[str, str]) -> str:
    scheme, _, token = headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(token).decode()


def _gateway(provider: str, url: str, **more: str) -> SmsGateway:
    return SmsGateway(provider, url, "Nordvärme", secret="SMS_PASSWORD", **more)


def test_twilio_gets_its_form_with_basic_auth_and_its_sid_is_kept(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    receiver.answer = b'{"sid": "SM0123", "status": "queued"}'
    url = f"{receiver.url}/2010-04-01/Accounts/AC1/Messages.json"
    assert _send(app, tenant, _gateway("twilio", url, account="AC1")) == "SM0123"
    [post] = receiver.posts
    assert post["path"] == "/2010-04-01/Accounts/AC1/Messages.json"
    assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(post["body"].decode()) == {"To": [MOBILE], "From": ["Nordvärme"],
                                               "Body": [TEXT]}
    assert _basic(post["headers"]) == f"AC1:{PASSWORD}"
    assert post["headers"]["Idempotency-Key"] == KEY
    assert post["headers"]["X-Workorders-Event"] == "notification.sms"
    assert "X-Workorders-Signature" not in post["headers"]  # Twilio checks Basic auth


def test_46elks_gets_its_own_field_names_and_its_id_is_kept(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    receiver.answer = b'{"id": "s17a6dafb12d6b1cabc053d57dac2b9d8", "status": "created"}'
    assert _send(app, tenant, _gateway("elks46", f"{receiver.url}/a1/sms",
                                       account="u1")) == "s17a6dafb12d6b1cabc053d57dac2b9d8"
    [post] = receiver.posts
    assert post["path"] == "/a1/sms"
    assert parse_qs(post["body"].decode()) == {"from": ["Nordvärme"], "to": [MOBILE],
                                               "message": [TEXT]}
    assert _basic(post["headers"]) == f"u1:{PASSWORD}"


def test_a_generic_gateway_gets_escaped_json_a_bearer_token_and_a_signature(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    receiver.answer = b'{"id": 42}'
    gateway = _gateway("generic", f"{receiver.url}/send", body=JSON_BODY)
    assert _send(app, tenant, gateway) == "42"
    [post] = receiver.posts
    headers = post["headers"]
    assert headers["Content-Type"] == "application/json"
    assert json.loads(post["body"]) == {"to": MOBILE, "from": "Nordvärme", "message": TEXT}
    assert headers["Authorization"] == f"Bearer {PASSWORD}"
    assert verify_signature(PASSWORD, post["body"], headers["X-Workorders-Signature"])


def test_an_answer_without_an_id_is_sent_without_one(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    gateway = _gateway("generic", f"{receiver.url}/send", body="to={{ to }}&m={{ text }}")
    assert _send(app, tenant, gateway) is None  # the receiver answered "ok"
    assert parse_qs(receiver.posts[0]["body"].decode()) == {"to": [MOBILE], "m": [TEXT]}


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_or_failing_gateway_is_retried(app: Flask, tenant: int, status: int) -> None:
    with running_receiver([status]) as receiver:
        with pytest.raises(ConnectionError, match=f"answered {status}"):
            _send(app, tenant, _gateway("elks46", f"{receiver.url}/a1/sms", account="u1"))
        assert len(receiver.posts) == 1


def test_a_gateway_that_is_not_there_is_retried(app: Flask, tenant: int) -> None:
    url = f"http://127.0.0.1:{free_port()}/a1/sms"
    with pytest.raises(ConnectionError, match="connection failed"):
        _send(app, tenant, _gateway("elks46", url, account="u1"))


def test_a_refused_message_is_dead_with_the_gateways_answer(app: Flask, tenant: int) -> None:
    with running_receiver([400]) as receiver:
        receiver.answer = b'{"code": 21211, "message": "The \'To\' number is not valid."}'
        with pytest.raises(PermanentJobError) as dead:
            _send(app, tenant, _gateway("twilio", f"{receiver.url}/Messages.json",
                                        account="AC1"))
    said = str(dead.value)
    assert said.startswith("the SMS gateway did not take the message (the receiver "
                           "answered 400")
    assert "The 'To' number is not valid." in said and PASSWORD not in said


def test_a_redirect_is_dead_not_followed(app: Flask, tenant: int) -> None:
    with running_receiver([302]) as receiver, \
            pytest.raises(PermanentJobError, match="redirects are not followed"):
        _send(app, tenant, _gateway("elks46", f"{receiver.url}/a1/sms", account="u1"))


def test_a_landline_is_dead_before_any_request(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    landline = "+4687654321"  # Stockholm, fixed line
    with pytest.raises(PermanentJobError) as dead:
        _send(app, tenant, _gateway("elks46", f"{receiver.url}/a1/sms", account="u1"),
              to=landline)
    assert str(dead.value) == mobile_problem(landline)
    assert str(dead.value).startswith("+46 8 765 43 21 is not a mobile number")
    assert receiver.posts == []


def test_a_secret_the_tenant_has_not_set_is_dead_in_words(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    gateway = SmsGateway("elks46", f"{receiver.url}/a1/sms", "N", secret="SMS_OTHER",
                         account="u1")
    with pytest.raises(PermanentJobError, match="no secret named 'SMS_OTHER' "
                       r"\(the SMS gateway signs with it\)"):
        _send(app, tenant, gateway)
    assert receiver.posts == []


def test_a_broken_body_template_is_dead_in_words(
        app: Flask, tenant: int, receiver: Receiver) -> None:
    gateway = _gateway("generic", f"{receiver.url}/send", body='{"to": {{ to }}}')
    with pytest.raises(PermanentJobError, match="inside quotes"):
        _send(app, tenant, gateway)
    assert receiver.posts == []


def test_without_a_gateway_the_text_goes_to_the_outbox_once(app: Flask, tenant: int) -> None:
    from workorders.platform.config import settings_of
    from workorders.platform.jobs.sms import deliver_sms

    assert _send(app, tenant, None) is None
    written = settings_of(app).mail_dir / f"{KEY}.sms.txt"
    assert written.read_text(encoding="utf-8") == f"To: {MOBILE}\n\n{TEXT}\n"
    # a retry after a crash (same key) writes no second copy and changes nothing
    assert deliver_sms(app, tenant, None, MOBILE, "another text", KEY) is None
    assert written.read_text(encoding="utf-8") == f"To: {MOBILE}\n\n{TEXT}\n"
    assert [p.name for p in settings_of(app).mail_dir.glob("*sms*")] == [written.name]
