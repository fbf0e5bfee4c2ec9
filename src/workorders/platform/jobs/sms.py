"""Sending one text message: through the tenant's SMS gateway, or into the outbox.

A tenant whose bundle has no ``notifications.sms`` (the embedded demo, a test
machine) gets its text messages as ``.sms.txt`` files beside the ``.eml`` files,
each addressed to the phone number, so every message the product would send can be
read. With a gateway, the request (``connectors/sms.py``) goes through the checked
HTTP transport exports use (no redirects, outbound address rules, TLS verified), is
signed for the generic provider and carries the notification as its idempotency
key. 429, 5xx and connection failures are retried by the job machinery; other
answers mean retrying cannot help until someone changes something.
"""

from __future__ import annotations

import os

from flask import Flask

from workorders.connectors.sms import SmsRequestError, build_sms_request, provider_message_id
from workorders.definitions.model import SmsGateway
from workorders.forms.phones import mobile_problem
from workorders.platform.config import settings_of
from workorders.platform.jobs.registry import PermanentJobError
from workorders.platform.private_paths import write_private_file


def deliver_sms(app: Flask, tenant_id: int, gateway: SmsGateway | None, to: str, text: str,
                key: str) -> str | None:
    """Send ``text`` to ``to`` (E.164); the gateway's message id when it gives one."""
    problem = mobile_problem(to)
    if problem:
        raise PermanentJobError(problem)
    if gateway is None:
        _to_outbox(app, to, text, key)
        return None
    from workorders.connectors.transports import OutboundPolicy, deliver_http
    from workorders.platform.services.tenant_secrets import SecretUnavailable, open_secret

    secret = None
    if gateway.secret:
        try:
            secret = open_secret(tenant_id, gateway.secret, "the SMS gateway")
        except SecretUnavailable as exc:
            raise PermanentJobError(str(exc)) from exc
    try:
        request = build_sms_request(gateway, to, text, secret)
    except SmsRequestError as exc:
        raise PermanentJobError(str(exc)) from exc
    result = deliver_http(request.url, request.body, content_type=request.content_type,
                          idempotency_key=key, event="notification.sms",
                          secret=secret if gateway.provider == "generic" else None,
                          policy=OutboundPolicy.parse(list(settings_of(app).outbound_allow)),
                          headers=request.headers)
    if result.ok:
        return provider_message_id(gateway.provider, result.response_excerpt or "")
    said = f": {result.response_excerpt.strip()[:300]}" if result.response_excerpt else ""
    error = f"the SMS gateway did not take the message ({result.error}){said}"
    status = result.status_code
    if result.retryable and (status is None or status == 429 or status >= 500):
        raise ConnectionError(error)
    raise PermanentJobError(error)


def _to_outbox(app: Flask, to: str, text: str, key: str) -> None:
    target = settings_of(app).mail_dir / f"{key}.sms.txt"
    if target.exists():
        return  # a retry after a crash writes no second copy
    tmp = target.with_suffix(".txt.tmp")
    write_private_file(tmp, f"To: {to}\n\n{text}\n".encode())
    os.replace(tmp, target)
