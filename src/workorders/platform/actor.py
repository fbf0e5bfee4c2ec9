"""Who acts: a tenant member with roles, whether the request came from a page, the
API, the CLI or a background job. Kept apart from ``flask.g`` so services and jobs
can be handed an actor without a request around them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    user_id: int
    email: str
    name: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
