"""Helpers for page tests that read what a signed-in person sees."""

from __future__ import annotations

from typing import Any


def signed_in_home(client: Any) -> Any:
    """The page a person lands on from ``/`` (technicians are sent on to My jobs).

    A check that something is *not* on the home page must read a real page, not
    an empty redirect, or it can never fail: this follows the redirect and makes
    sure the navigation was rendered.
    """
    resp = client.get("/", follow_redirects=True)
    assert resp.status_code == 200
    assert 'data-testid="logout"' in resp.get_data(as_text=True)
    return resp
