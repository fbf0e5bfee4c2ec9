"""Running the real ``workorders`` command in child processes (worker, server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def command_env(database_url: str, instance_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env.update({"WORKORDERS_DATABASE_URL": database_url,
                "WORKORDERS_INSTANCE_DIR": str(instance_dir),
                "WORKORDERS_SECRET_KEY": "test-secret"})
    env.update(extra)
    return env


def run_workorders(args: list[str], env: dict[str, str], timeout: float = 60,
                   stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workorders", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          input=stdin)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")
