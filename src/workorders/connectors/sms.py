"""Text messages as HTTP requests to a tenant's SMS gateway.

Three shapes: ``generic`` (the admin writes the request body as a template over
``to``, ``text`` and ``sender``), and presets for Twilio and 46elks, whose REST APIs
take a form-encoded POST with HTTP Basic authentication. Pure: the platform sends
the request (``jobs/sms.py``) through the same checked HTTP transport as exports.

The generic body's values are escaped for the body's format before the template
sees them: inside a JSON body ``{{ text }}`` is a JSON string's content, anywhere
else it is form-encoded, so a customer's name with quotes or a line break can
never break the request or add a field to it; a JSON body whose placeholders are not
all inside quotes is refused (``definitions.sms_body``).

The presets' settings:

- ``twilio``: ``url: https://api.twilio.com/2010-04-01/Accounts/<SID>/Messages.json``,
  ``account: <SID>``, ``secret:`` the name of the tenant secret holding the auth token;
  the form is ``To``, ``From`` (``sender``), ``Body``; the answer's ``sid`` is kept.
- ``elks46``: ``url: https://api.46elks.com/a1/sms``, ``account:`` the API user name,
  ``secret:`` the API password's secret name; the form is ``from``, ``to``,
  ``message``; the answer's ``id`` is kept.
- ``generic``: ``Authorization: Bearer <secret>`` when a secret is named, and the
  request is signed with it like an export (``X-Workorders-Signature``); the
  answer's ``id`` is kept when it is JSON with one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from workorders.definitions.model import SmsGateway
from workorders.definitions.sandbox import RenderFailed, render_text
from workorders.definitions.sms_body import is_json_body, json_body_problem

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


class SmsRequestError(ValueError):
    """The gateway's settings cannot make a request (a sentence for the admin)."""


@dataclass(frozen=True, slots=True)
class SmsRequest:
    url: str
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def _basic(user: str | None, password: str | None) -> dict[str, str]:
    if not user or not password:
        return {}
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _generic_json(source: str, values: Mapping[str, str]) -> bytes:
    problem = json_body_problem(source)
    if problem:
        raise SmsRequestError(f"the SMS gateway's body template is wrong: {problem}")
    escaped = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    body = _render(source, escaped)
    try:
        json.loads(body)
    except ValueError as exc:
        raise SmsRequestError("the SMS gateway's body template does not make valid "
                              f"JSON: {exc}") from exc
    return body.encode()


def _render(source: str, values: Mapping[str, str]) -> str:
    try:
        return render_text(source, values).strip()
    except RenderFailed as exc:
        raise SmsRequestError(f"the SMS gateway's body template failed: {exc.message}") from exc


def _generic(gateway: SmsGateway, values: Mapping[str, str], secret: str | None) -> SmsRequest:
    source = gateway.body or ""
    if is_json_body(source):
        content_type, body = JSON_TYPE, _generic_json(source, values)
    else:
        encoded = {k: quote_plus(v) for k, v in values.items()}
        content_type, body = FORM_TYPE, _render(source, encoded).encode()
    if secret and not secret.isprintable():
        raise SmsRequestError("the SMS gateway's secret has a line break or another "
                              "character a header cannot carry; set it again")
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return SmsRequest(gateway.url, content_type, body, headers)


def build_sms_request(gateway: SmsGateway, to: str, text: str,
                      secret: str | None) -> SmsRequest:
    """The request that sends ``text`` to ``to`` (E.164) through ``gateway``."""
    values = {"to": to, "text": text, "sender": gateway.sender}
    if gateway.provider == "generic":
        return _generic(gateway, values, secret)
    if gateway.provider == "twilio":
        form = {"To": to, "From": gateway.sender, "Body": text}
    elif gateway.provider == "elks46":
        form = {"from": gateway.sender, "to": to, "message": text}
    else:
        raise SmsRequestError(f"unknown SMS provider '{gateway.provider}'")
    return SmsRequest(gateway.url, FORM_TYPE, urlencode(form).encode(),
                      _basic(gateway.account, secret))


def provider_message_id(provider: str, answer: str) -> str | None:
    """The gateway's id of the sent message, from its JSON answer when it gives one."""
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    found = data.get("sid" if provider == "twilio" else "id")
    return str(found)[:200] if found not in (None, "") else None
