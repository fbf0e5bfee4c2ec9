"""Names of tenant secrets in a bundle: the naming rule, and who uses which name.

A bundle never holds a secret, only the name of one of its own tenant's secrets
(set with ``workorders secrets set`` or ``PUT /api/v1/secrets/{name}``). Names
follow one rule everywhere (bundle, CLI, API) so a name that validates here can
always be set, and a pasted secret is told apart from a name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

from .model import Bundle

SECRET_NAME_MAX = 64
SECRET_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
#: what the rule looks like to a person
SECRET_NAME_RULE = (f"capital letters, digits and '_', at most {SECRET_NAME_MAX} characters, "
                    "e.g. ERP_WEBHOOK")
#: ``secret_env`` is the key's old spelling; it names a tenant secret too, never a
#: server environment variable
LEGACY_SECRET_KEY = "secret_env"


def secret_name_problem(value: str) -> str | None:
    """Why ``value`` is not a secret name (or looks like a secret itself)."""
    if not SECRET_NAME.match(value) or len(value) > SECRET_NAME_MAX:
        return f"'{_mask(value)}' is not a secret name ({SECRET_NAME_RULE})"
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    digits = sum(c.isdigit() for c in value)
    if ("_" not in value and len(value) >= 16 and digits >= 1) or (entropy > 4.2 and digits >= 4):
        return f"'{_mask(value)}' looks like a secret, not the name of one"
    return None


def _mask(value: str) -> str:
    return value if len(value) <= 8 else value[:4] + "…"


def secret_uses(bundle: Bundle) -> Mapping[str, tuple[str, ...]]:
    """Each secret name the bundle signs with, and what uses it ("connector fortnox",
    "webhook ops"), in bundle order."""
    uses: dict[str, list[str]] = {}
    for connector in bundle.connectors:
        if connector.transport.secret:
            uses.setdefault(connector.transport.secret, []).append(f"connector {connector.id}")
    for hook in bundle.notifications.webhooks.values():
        if hook.secret:
            uses.setdefault(hook.secret, []).append(f"webhook {hook.id}")
    return {name: tuple(users) for name, users in uses.items()}
