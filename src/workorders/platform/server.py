"""Serving with gunicorn, a production-grade WSGI server, from the CLI.

In the embedded mode (no ``REDIS_URL``) each gunicorn worker also runs the
outbox sweeper, so retries happen without a separate worker process.
"""

from __future__ import annotations

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


def serve_app(*, host: str, port: int, workers: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": 4,
        "worker_class": "gthread",
        # a worker stuck inside C code (rules engine) is replaced, not waited on forever
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }).run()
