"""Serving with gunicorn, a production-grade WSGI server, from the CLI.

In the embedded mode (no ``REDIS_URL``) each gunicorn worker also runs the
outbox sweeper, so retries happen without a separate worker process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

from workorders.platform.config import settings_of


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from workorders.platform import create_app
        from workorders.platform.jobs.dispatch import start_sweeper

        app = create_app()
        if not settings_of(app).redis_url:
            start_sweeper(app)
        return app


@dataclass(frozen=True)
class ServePlan:
    """How many gunicorn processes and threads serve, and why (docs/performance.md)."""

    workers: int
    threads: int
    connections: int


def serve_plan(cpus: int, workers: int | None = None, threads: int | None = None) -> ServePlan:
    """Chosen from measurements (``benchmarks/bench_writes.py --quick`` on 2 CPUs, with
    PostgreSQL and the clients on the same machine; docs/performance.md has the table):
    one process per CPU with two threads each served every write load best. A request
    spends part of its time waiting for PostgreSQL, which the second thread fills,
    while Python runs one thread per process at a time, so more threads (4, 8) only
    queue behind that lock and stretch p95, and more processes (2 per CPU) add context
    switches and memory for nothing. Each process takes at most ``threads``
    connections at once: gunicorn otherwise hands a burst of keep-alive clients to
    whichever process accepts first, which then serves all of them on one core while
    the others idle. Never fewer than two processes, so one busy request (an import,
    a long export) never holds the whole server."""
    chosen_workers = workers if workers is not None else max(2, cpus)
    chosen_threads = threads if threads is not None else 2
    return ServePlan(max(1, chosen_workers), max(1, chosen_threads), max(1, chosen_threads))


def serve_app(*, host: str, port: int, workers: int | None = None, threads: int | None = None,
              access_log: bool = False) -> None:
    plan = serve_plan(os.cpu_count() or 1, workers, threads)
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": plan.workers,
        "threads": plan.threads,
        "worker_connections": plan.connections,
        "worker_class": "gthread",
        # a worker stuck inside C code (rules engine) is replaced, not waited on forever
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "errorlog": "-",
        "loglevel": "info",
    }
    if access_log:  # off by default: no line is formatted or written per request
        options["accesslog"] = "-"
    _Gunicorn(options).run()
