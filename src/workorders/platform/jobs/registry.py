"""Job kinds and their handlers; a handler is an importable module-level function."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
    #: attempts the job gets in all: ``attempt == max_attempts`` is its last
    max_attempts: int = 5

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


Handler = Callable[[JobContext], None]


class PermanentJobError(WorkordersError):
    """Retrying cannot help (e.g. the data the job needs is gone): mark it dead."""


class DeferJob(Exception):
    """Not now: run the job again at ``until`` without spending an attempt (an SMS
    in the tenant's quiet hours waits for the morning)."""

    def __init__(self, until: datetime, why: str) -> None:
        super().__init__(why)
        self.until = until


#: kind -> "module:function"; resolved lazily so importing the registry is cheap
HANDLERS: dict[str, str] = {
    "email.welcome": "workorders.platform.jobs.email:send_welcome_email",
    "notify": "workorders.platform.jobs.notify:plan_legacy_notification",
    "notification.deliver": "workorders.platform.jobs.notify:deliver_notification",
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
