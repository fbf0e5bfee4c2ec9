"""Job kinds and their handlers; a handler is an importable module-level function."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from workorders.errors import WorkordersError


@dataclass(frozen=True)
class JobContext:
    app: Flask
    job_id: int
    tenant_id: int | None
    payload: dict[str, Any]
    attempt: int


Handler = Callable[[JobContext], None]


class PermanentJobError(WorkordersError):
    """Retrying cannot help (e.g. the data the job needs is gone): mark it dead."""


#: kind -> "module:function"; resolved lazily so importing the registry is cheap
HANDLERS: dict[str, str] = {
    "email.welcome": "workorders.platform.jobs.email:send_welcome_email",
    "notify": "workorders.platform.jobs.notify:send_notification",
    "definitions.simulate": "workorders.platform.services.simulation:run_simulation_task",
    "approval.customer_link": "workorders.platform.jobs.notify:send_approval_link",
    "export.deliver": "workorders.platform.jobs.export_delivery:deliver",
    "definitions.migrate": "workorders.platform.services.case_migration_apply:run_migration_task",
}


def handler_for(kind: str) -> Handler:
    target = HANDLERS.get(kind)
    if target is None:
        raise PermanentJobError(f"no handler for job kind {kind!r}")
    module, _, name = target.partition(":")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler
