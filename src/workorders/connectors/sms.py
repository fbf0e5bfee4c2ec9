"""Text messages as HTTP requests to a tenant's SMS gateway.

Three shapes: ``generic`` (the admin writes the request body as a template over
``to``, ``text`` and ``sender``), and presets for Twilio and 46elks, whose REST APIs
take a form-encoded POST with HTTP Basic authentication. Pure: the platform sends
the request (``jobs/sms.py``) through the same checked HTTP transport as exports.

The generic body's values are escaped for the body's format before the template
sees them: inside a JSON body ``{{ text }}`` is a JSON string's content, anywhere
else it is form-encoded, so a customer's name with quotes or a line break can
never break the request or add a field to it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from workorders.definitions.model import SmsGateway
from workorders.definitions.sandbox import RenderFailed, render_text

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


def _generic(gateway: SmsGateway, values: Mapping[str, str], secret: str | None) -> SmsRequest:
    source = gateway.body or ""
    as_json = source.lstrip().startswith("{")
    escaped = {k: json.dumps(v, ensure_ascii=False)[1:-1] if as_json else quote_plus(v)
               for k, v in values.items()}
    try:
        body = render_text(source, escaped).strip()
    except RenderFailed as exc:
        raise SmsRequestError(f"the SMS gateway's body template failed: {exc.message}") from exc
    if as_json:
        try:
            json.loads(body)
        except ValueError as exc:
            raise SmsRequestError("the SMS gateway's body template does not make valid "
                                  f"JSON: {exc}") from exc
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return SmsRequest(gateway.url, JSON_TYPE if as_json else FORM_TYPE, body.encode(), headers)


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
