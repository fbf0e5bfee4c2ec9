"""A real local ERP receiver, bundle variants that export to it, and cases driven
to invoicing through the API (the same path people take)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import ROOT
from tests.support.world import World

COMMISSIONING = {"flow_temperature": "45", "leak_test_passed": True,
                 "commissioning_date": "2026-11-26"}
SECRET = "s3cret-for-tests"


@dataclass
class Receiver:
    """An HTTP server that answers per a script (status codes, or ``"hang"``) and
    stores each body once per ``Idempotency-Key``, as a careful ERP would."""

    script: list[int | str] = field(default_factory=list)
    hang_seconds: float = 3.0
    posts: list[dict[str, Any]] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)
    by_path: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    first_arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    #: the body of every answer (an SMS gateway answers JSON with its message id)
    answer: bytes = b"ok"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.posts.append({"path": path, "headers": headers, "body": body})
            action = self.script.pop(0) if self.script else 200
        if action == "hang":  # nothing stored: the answer never comes in time
            self.first_arrived.set()
            self.release.wait(self.hang_seconds)
            return 503
        if action == "block":  # stored, then the answer is held (a crash loses it)
            self._store(path, headers, body)
            self.first_arrived.set()
            self.release.wait(30)
            return 200
        self.first_arrived.set()
        if int(action) < 300:
            self._store(path, headers, body)
        return int(action)

    def _store(self, path: str, headers: dict[str, str], body: bytes) -> None:
        with self.lock:
            key = headers.get("Idempotency-Key", "")
            if key not in self.stored:  # de-duplicated by key
                self.stored[key] = body
                self.by_path[path].append(key)

    def keys(self) -> list[str]:
        return [p["headers"].get("Idempotency-Key", "") for p in self.posts]


@contextmanager
def running_receiver(script: list[int | str] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.handle(self.path, dict(self.headers.items()), body)
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)
            except OSError:
                pass  # the client gave up (a time-out, a killed worker)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


def connectors_yaml(url: str, *, timeout_s: float = 2, max_attempts: int = 5,
                    only: tuple[str, ...] | None = None) -> str:
    """Five connectors on ``transition:invoice``: every format, HTTP to ``url``
    except Peppol, which is written to a file."""
    http = f"type: http, url: {url}/{{path}}, timeout_s: {timeout_s}, max_attempts: {max_attempts}"
    blocks = {
        "fortnox": ("fortnox_invoice", "{customer_number: \"{{ case.customer.erp_id }}\", "
                    "article_map: {install: \"1001\", travel: \"1009\"}, unit_map: {HUR: tim}}",
                    "{" + http.format(path="fortnox") + ", secret: EXPORT_TEST_SECRET}"),
        "erpnext": ("erpnext_sales_invoice", "{company: Nordvärme AB, unit_map: {HUR: Hour}}",
                    "{" + http.format(path="erpnext") + "}"),
        "generic": ("generic_json", "{article_map: {install: \"1001\"}}",
                    "{" + http.format(path="generic") + "}"),
        "csv_out": ("csv", "{delimiter: \";\", decimal: \",\"}",
                    "{" + http.format(path="csv") + "}"),
        "peppol": ("peppol_ubl", "{note: \"Case {{ case.number }}\"}",
                   "{type: file, directory: peppol/out}"),
    }
    lines = ["connectors:"]
    for cid, (fmt, options, transport) in blocks.items():
        if only is not None and cid not in only:
            continue
        lines += [f"  - id: {cid}", f"    format: {fmt}", '    on: "transition:invoice"',
                  f"    options: {options}", f"    transport: {transport}"]
    return "\n".join(lines) + "\n\n"


def publish_variant(world: World, connectors: str, name: str = "nordvarme-heatpumps.yaml",
                    tenant: str = "a", secret: str | None = SECRET) -> None:
    """The example bundle with its ``connectors:`` section replaced; the tenant's
    ``EXPORT_TEST_SECRET`` (the fortnox connector's) is set to ``secret`` unless None."""
    from workorders.platform.services.definitions import create_draft, publish_version
    from workorders.platform.services.tenant_secrets import set_secret

    cast = world.a if tenant == "a" else world.b
    source = (ROOT / "definitions" / name).read_text(encoding="utf-8")
    head, rest = source.split("\nconnectors:\n", 1)
    tail = rest[rest.index("\ntests:"):]
    with world.app.app_context():
        if secret is not None:
            set_secret(cast.tenant_id, "EXPORT_TEST_SECRET", secret, cast.emails["admin"])
        draft = create_draft(cast.tenant_id, f"{head}\n{connectors}{tail}".encode(),
                             cast.emails["admin"])
        publish_version(cast.tenant_id, draft.number, cast.emails["admin"])


def _ok(resp: Any) -> dict[str, Any]:
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    return dict(resp.json)


def ready_case(world: World, hours: str = "6", tenant: str = "a") -> dict[str, Any]:
    """A Nordvärme installation with both reports signed, work done and released."""
    case = started_case(world)
    cid = case["id"]
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    tech = world.api("technician", tenant)
    _ok(tech.post(f"/api/v1/cases/{cid}/submissions", json={
        "form": "installation_report", "data": report(photo, signature, hours=hours)}))
    _ok(tech.post(f"/api/v1/cases/{cid}/submissions", json={
        "form": "commissioning_protocol", "data": {
            **COMMISSIONING, "customer_signature": {"image": signature, "name": "Lena Berg"}}}))
    _ok(tech.post(f"/api/v1/cases/{cid}/transitions", json={"transition": "complete"}))
    _ok(world.api("coordinator", tenant).post(f"/api/v1/cases/{cid}/transitions",
                                              json={"transition": "release"}))
    return case


def invoice(world: World, case_id: int, tenant: str = "a") -> dict[str, Any]:
    return _ok(world.api("coordinator", tenant).post(f"/api/v1/cases/{case_id}/transitions",
                                                     json={"transition": "invoice"}))


def drain(app: Flask, until: Callable[[], bool] | None = None, timeout: float = 20) -> None:
    """Run due outbox jobs in this process until none is due (or ``until`` holds)."""
    from workorders.platform.jobs.dispatch import sweep, wait_for_jobs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ran = sweep(app)
        wait_for_jobs(app)
        if (until is not None and until()) or (until is None and ran == 0):
            return
        time.sleep(0.05)
    raise AssertionError("the outbox did not settle in time")


def exports_of(world: World, tenant: str = "a", **filters: Any) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return list(_ok(world.api("coordinator", tenant).get(f"/api/v1/exports?{query}"))["items"])
