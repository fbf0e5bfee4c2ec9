"""The demo edition of an example bundle: the same bundle, delivering only on this
machine.

The examples name their tenants' real ERPs and chat hooks (``*.example`` hosts
that never resolve), so a demo that published them as written would greet a
newcomer with dead exports and webhooks retrying forever. The demo edition writes
every HTTP connector's documents as files under the instance's exports directory
(``exports/<tenant>/erp/<connector>/``), and what a rule would post to a webhook is
emailed to the coordinators instead (the mail outbox). Everything else (forms,
rules, formats, golden tests) is the example as written.
"""

from __future__ import annotations

from typing import Any

import yaml

from workorders.definitions.yaml_reader import read_yaml

WEBHOOK_STANDIN = "role:coordinator"
EXPORTS_SUBDIR = "erp"


def demo_edition(source: bytes, filename: str) -> bytes:
    """``source`` with file transports and no webhooks, as YAML."""
    data, _positions = read_yaml(source.decode("utf-8"))
    for connector in data.get("connectors") or []:
        if (connector.get("transport") or {}).get("type") == "file":
            continue
        connector["transport"] = {"type": "file",
                                  "directory": f"{EXPORTS_SUBDIR}/{connector['id']}"}
    notifications = data.get("notifications") or {}
    notifications.pop("webhooks", None)
    for name, template in (notifications.get("templates") or {}).items():
        if template.get("channel") == "webhook":
            template["channel"] = "email"
            template.setdefault("subject", f"{name.replace('_', ' ').capitalize()} "
                                           "({{ case.number }})")
    for rule in data.get("rules") or []:
        for action in rule.get("then") or []:
            _without_webhooks(action.get("notify") if isinstance(action, dict) else None)
    header = (f"# Demo edition of definitions/{filename}: connectors write files under the\n"
              "# instance's exports directory and webhook messages go to the coordinators,\n"
              "# so nothing leaves this machine.\n")
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return (header + body).encode("utf-8")


def _without_webhooks(notify: Any) -> None:
    if not isinstance(notify, dict) or not isinstance(notify.get("to"), list):
        return
    targets = [WEBHOOK_STANDIN if str(t).startswith("webhook:") else t for t in notify["to"]]
    notify["to"] = list(dict.fromkeys(targets))
