"""Headless Debian Chromium driven by Playwright, against real served apps."""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import ROOT, free_port, wait_for_http
from tests.support.services import CHROMIUM, chromium_problem, missing

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    problem = chromium_problem()
    if problem:
        missing("Chromium", problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


class DemoServer:
    def __init__(self, url: str, logins: dict[str, tuple[str, str]], instance: Path) -> None:
        self.url = url
        self.logins = logins
        self.instance = instance


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``workorders demo`` as a newcomer runs it, on a fresh embedded database.

    One per test module: journeys change the demo's data (cases, reports, rule
    outcomes), and a journey must not depend on which ran before it.
    """
    import os
    import sys

    instance = tmp_path_factory.mktemp("demo-instance")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env["WORKORDERS_INSTANCE_DIR"] = str(instance)
    proc = subprocess.Popen([sys.executable, "-m", "workorders", "demo", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    logins: dict[str, tuple[str, str]] = {}
    for line in proc.stdout:
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "password:":
            logins.setdefault(parts[0], (parts[1], parts[3]))
        if line.startswith("Serving at"):
            break
    # gunicorn writes its access log to this pipe: drain it, or a journey making a few
    # hundred requests fills the pipe's buffer and the server freezes mid-write
    threading.Thread(target=deque, args=(proc.stdout, 0), daemon=True).start()
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", proc=proc, timeout=60)
        yield DemoServer(f"http://127.0.0.1:{port}", logins, instance)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a request still hanging: do not wait on it
            proc.kill()
            proc.wait(timeout=10)
