"""Running a long piece of work (a simulation, a migration) as a background job
that reports into its ``Task`` row.

The page or API client that started the work polls ``GET /tasks/{id}``: it sees
``running`` with ``done``/``total`` while the job goes, then ``done`` with the
result or ``failed`` with the error. Each progress write is its own short
transaction, so the poller sees it at once and the work's own transactions never
wait on it. A failure is permanent (the job is not retried): the Task says why,
and the admin starts the work again once the cause is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workorders.platform.extensions import db
from workorders.platform.models import Task
from workorders.platform.models.types import utcnow

#: how the work reports progress: ``(done, total)``
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TaskRun:
    """What the work needs from its Task row, read once before it starts."""

    id: int
    tenant_id: int
    created_by: str
    params: dict[str, Any]


#: the work: given its task and a progress callback, the result and how many items it did
Work = Callable[[TaskRun, Progress], tuple[dict[str, Any], int]]


def _saver(task_id: int) -> Callable[..., None]:
    from workorders.platform.database import begin_write

    def save(**values: Any) -> None:
        begin_write(db.session())
        row = db.session.get(Task, task_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()

    return save


def run_task(ctx: Any, what: str, work: Work) -> None:
    """The job body: run ``work`` for the task in ``ctx.payload["task_id"]``,
    keeping the Task's status, progress, result or error up to date."""
    from workorders.platform.jobs.registry import PermanentJobError

    with ctx.app.app_context():
        task = db.session.get(Task, ctx.payload["task_id"])
        if task is None:
            raise PermanentJobError(f"the {what} task is gone")
        run = TaskRun(task.id, task.tenant_id, task.created_by, dict(task.params))
        db.session.commit()
        save = _saver(run.id)
        save(status="running")
        try:
            result, done = work(run, lambda n, total: save(done=n, total=total))
        except Exception as exc:
            db.session.rollback()
            save(status="failed", error=f"{type(exc).__name__}: {exc}", finished_at=utcnow())
            raise PermanentJobError(str(exc)) from exc
        save(status="done", result=result, done=done, total=done, finished_at=utcnow())
