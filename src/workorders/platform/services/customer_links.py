"""Signed, expiring links for customers: a status page and approval decisions.

Links are signed with the instance's secret key (itsdangerous) and name one
case or one approval; an approval link decides that approval only, and only
while it is pending (so it works once).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workorders.errors import NotFound
from workorders.platform.config import settings_of
from workorders.platform.models import Case

STATUS_SALT = "workorders.status-page"
APPROVAL_SALT = "workorders.customer-approval"
APPROVAL_MAX_AGE = 14 * 24 * 3600
STATUS_MAX_AGE = 90 * 24 * 3600
UNSUBSCRIBE_SALT = "workorders.unsubscribe"
#: an unsubscribe link in an old email should still work a year later
UNSUBSCRIBE_MAX_AGE = 366 * 24 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured public URL, never on the request's host:
    the ``Host`` header is the client's to choose, and a forged one would put a
    valid customer token on someone else's domain."""
    base = urlsplit(settings_of(current_app).public_url)
    # the app's URL map bound to the public URL: the same rules url_for follows,
    # without building a request (a rules run asks for two links)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _external(endpoint: str, **values: Any) -> str:
    return external_url(endpoint, **values)


def status_link(case: Case) -> str:
    token = _serializer(STATUS_SALT).dumps({"c": case.id, "t": case.tenant_id})
    return _external("public.status_page", token=token)


def approval_token(approval_id: int, tenant_id: int) -> str:
    return str(_serializer(APPROVAL_SALT).dumps({"a": approval_id, "t": tenant_id}))


def approval_link(approval_id: int, tenant_id: int) -> str:
    return _external("public.customer_approval", token=approval_token(approval_id, tenant_id))


def unsubscribe_token(tenant_id: int, address: str) -> str:
    """Names one tenant and one customer address (as stored: ``optout_address``)."""
    from workorders.platform.services.customer_messages import optout_address

    return str(_serializer(UNSUBSCRIBE_SALT).dumps({"t": tenant_id, "a": optout_address(address)}))


def unsubscribe_link(tenant_id: int, address: str) -> str:
    return _external("public.unsubscribe", token=unsubscribe_token(tenant_id, address))


def read_token(token: str, salt: str, max_age: int) -> dict[str, Any]:
    try:
        data: dict[str, Any] = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound("this link has expired; ask us for a new one") from None
    except BadSignature:
        raise NotFound("this link is not valid") from None
    return data
