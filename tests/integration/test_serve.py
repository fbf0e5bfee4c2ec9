"""``workorders serve`` as an operator starts it (issue 17): the processes and threads
it picks from the CPU count and says so, that jobs run inside the web processes
without Redis, and an access log only when asked for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from tests.support.processes import ROOT, command_env, free_port, run_workorders, wait_for_http


def test_the_plan_follows_the_cpus_and_the_operator() -> None:
    from workorders.platform.server import serve_plan

    assert serve_plan(1) == serve_plan(1, 2, 2)  # never fewer than two processes
    assert (serve_plan(2).workers, serve_plan(2).threads, serve_plan(2).connections) == (2, 2, 2)
    assert serve_plan(8).workers == 8
    chosen = serve_plan(8, workers=3, threads=5)
    assert (chosen.workers, chosen.threads, chosen.connections) == (3, 5, 5)
    assert serve_plan(4, workers=0, threads=0) == serve_plan(4, 1, 1)  # at least one


def _serve(env: dict[str, str], *extra: str) -> tuple[str, str]:
    """Start ``serve``, ask /healthz twice, stop it: its output and error log."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workorders", "serve", "--port", str(port), "--workers", "1",
         *extra], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
        for _ in range(2):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                pass
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    return out, err


@pytest.fixture
def env(app: Flask, clean_database: str) -> dict[str, str]:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    made = command_env(clean_database, instance)
    assert run_workorders(["init"], made).returncode == 0
    return made


def test_serve_says_how_it_serves_and_logs_no_request_unless_asked(env: dict[str, str]) -> None:
    out, err = _serve(env)
    assert "with 1 process x 2 threads" in out
    assert "No REDIS_URL: background jobs" in out and "workorders worker" in out
    assert "GET /healthz" not in out + err  # no access log line per request
    out, err = _serve({**env, "REDIS_URL": "redis://127.0.0.1:6379/15"}, "--access-log",
                      "--threads", "3")
    assert "with 1 process x 3 threads" in out and "No REDIS_URL" not in out
    assert "GET /healthz" in out + err
