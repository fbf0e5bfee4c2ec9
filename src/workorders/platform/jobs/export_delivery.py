"""The ``export.deliver`` job: one delivery attempt of one export.

A thin entry point so the registry can import it lazily; the work is in
``services.delivery`` (it needs the models and the bundle of the case).
"""

from __future__ import annotations

from workorders.platform.jobs.registry import JobContext


def deliver(ctx: JobContext) -> None:
    from workorders.platform.services.delivery import deliver_export

    with ctx.app.app_context():
        deliver_export(ctx)
