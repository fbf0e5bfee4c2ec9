"""The generic SMS gateway's body template: JSON or a form, and when JSON, safe.

A body that starts with ``{`` or ``[`` is JSON; anything else is a form
(``to={{ to }}&msg={{ text }}``). The values (``to``, ``text``, ``sender``) are
escaped for that format before the template sees them, which keeps a customer's
quotes or line breaks inside their string only if every placeholder *is* inside a
string. So a JSON body must be valid JSON when each value is a plain word: an
unquoted ``{{ text }}`` fails that check (``{"text": x}``) at validation, long before
a customer's ``1, "admin": true`` could add a field. One check, used by bundle
validation and by the connector that builds the request.
"""

from __future__ import annotations

import json

from .sandbox import RenderFailed, render_text

#: the names a body template may use
BODY_NAMES = ("to", "text", "sender")
_PLAIN = dict.fromkeys(BODY_NAMES, "x")
_HINT = 'put each value inside quotes, e.g. "text": "{{ text }}"'


def is_json_body(source: str) -> bool:
    """Whether the gateway gets ``source`` as JSON (else it is form-encoded)."""
    return source.lstrip().startswith(("{", "["))


def _render_plain(source: str) -> str:
    """The body with every value a plain word (raises ``RenderFailed``)."""
    return render_text(source, _PLAIN).strip()


def json_body_problem(source: str) -> str | None:
    """Why a JSON body template cannot make a safe request, or None (also None for a
    form body, and for a template that does not render: its own check says why)."""
    if not is_json_body(source):
        return None
    try:
        rendered = _render_plain(source)
    except RenderFailed:
        return None
    try:
        json.loads(rendered)
    except ValueError as exc:
        return f"the body is not valid JSON once its values are filled in ({exc}): {_HINT}"
    return None
