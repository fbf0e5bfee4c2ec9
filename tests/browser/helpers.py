"""What the browser journeys share: a small JSON API client for set-up and
checks, API tokens from the real CLI, and drawing a signature on the pad."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any
from urllib.request import Request, urlopen

from tests.browser.conftest import DemoServer
from tests.support.processes import ROOT


class DemoApi:
    """One person's JSON API calls against a served demo (the standard library
    is enough, and it exercises the real HTTP stack)."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")

    def upload(self, case_id: int, name: str, data: bytes) -> str:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()
        req = Request(f"{self.base}/api/v1/cases/{case_id}/attachments", data=body,
                      method="POST", headers={
                          "Authorization": f"Bearer {self.token}",
                          "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urlopen(req, timeout=30) as resp:
            return str(json.loads(resp.read())["id"])


def demo_token(server: DemoServer, email: str, label: str = "browser test") -> str:
    """A token made the operator's way: ``workorders tokens create`` on the demo."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env["WORKORDERS_INSTANCE_DIR"] = str(server.instance)
    out = subprocess.run([sys.executable, "-m", "workorders", "tokens", "create", "nordvarme",
                          email, "--label", label], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def sign(page: Any, field: str = "customer_signature") -> None:
    """Draw a zigzag on the signature pad with the mouse and save it."""
    canvas = page.locator(f"[data-testid=signature-canvas-{field}]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + 30 + step * 10, y + (18 if step % 2 else -18), steps=2)
    page.mouse.up()
    page.click(f"[data-testid=signature-done-{field}]")
    page.wait_for_selector("[data-signature-saved] img[src*='/attachments/']", state="visible")
