"""The rq side: the function rq runs, and the ``workorders worker`` loop."""

from __future__ import annotations

import logging

from flask import Flask

from workorders.platform.config import settings_of
from workorders.platform.jobs.runner import run_job

log = logging.getLogger(__name__)
_app: Flask | None = None


def _worker_app() -> Flask:
    global _app
    if _app is None:
        from workorders.platform import create_app

        _app = create_app()
    return _app


def run_outbox_job(job_id: int) -> str | None:
    """Entry point for rq: runs outbox job ``job_id`` with this worker's app."""
    return run_job(_worker_app(), job_id)


def run_worker(app: Flask, *, burst: bool = False, sweep_interval: float = 5.0) -> None:
    """Serve the queue with a non-forking worker (the app and its engines are
    built once per process), sweeping the outbox so retries and jobs that
    missed Redis are enqueued again."""
    global _app
    from redis import Redis
    from rq import Queue, SimpleWorker

    from workorders.platform.jobs.dispatch import start_sweeper, sweep

    _app = app
    settings = settings_of(app)
    if not settings.redis_url:
        raise SystemExit("REDIS_URL is not set: jobs run in-process, no worker is needed")
    conn = Redis.from_url(settings.redis_url)
    queue = Queue(settings.rq_queue, connection=conn)
    sweep(app)
    stop = None if burst else start_sweeper(app, sweep_interval)
    try:
        SimpleWorker([queue], connection=conn).work(burst=burst, with_scheduler=False)
    finally:
        if stop is not None:
            stop.set()
