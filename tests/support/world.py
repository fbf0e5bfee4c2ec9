"""Two tenants with a person per role and an API token each: the usual cast."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ROLES = ("admin", "coordinator", "technician", "viewer")
PASSWORD = "correct horse battery"


@dataclass
class TenantCast:
    slug: str
    tenant_id: int
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


class Api:
    """A thin client that sends a role's bearer token with every call."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None,
             **kw: Any) -> TestResponse:
        return self.client.post(path, json=json, headers=self._headers(headers), **kw)

    def patch(self, path: str, json: Any = None, headers: dict[str, str] | None = None,
              **kw: Any) -> TestResponse:
        return self.client.patch(path, json=json, headers=self._headers(headers), **kw)

    def put(self, path: str, json: Any = None, headers: dict[str, str] | None = None,
            **kw: Any) -> TestResponse:
        return self.client.put(path, json=json, headers=self._headers(headers), **kw)

    def open(self, path: str, method: str, **kw: Any) -> TestResponse:
        headers = self._headers(kw.pop("headers", None))
        return self.client.open(path, method=method, headers=headers, **kw)


def make_tenant(app: Flask, slug: str, name: str) -> TenantCast:
    from workorders.platform.services.accounts import create_tenant, create_token, create_user

    with app.app_context():
        tenant = create_tenant(slug, name)
        cast = TenantCast(slug=slug, tenant_id=tenant.id)
        for role in ROLES:
            email = f"{role}@{slug}.test"
            create_user(slug, email, [role], password=PASSWORD, name=f"{role.title()} of {name}")
            cast.emails[role] = email
            _token, plain = create_token(slug, email, "tests")
            cast.tokens[role] = plain
    return cast


@dataclass
class World:
    app: Flask
    a: TenantCast
    b: TenantCast

    def api(self, role: str = "admin", tenant: str = "a") -> Api:
        cast = self.a if tenant == "a" else self.b
        return Api(self.app.test_client(), cast.tokens[role])
