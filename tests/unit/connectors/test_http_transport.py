"""The http transport against a real local HTTP(S) receiver started by the test.

Loopback is not a public address, so every delivery that should arrive names the
receiver in the allow-list, exactly as an operator would with
WORKORDERS_OUTBOUND_ALLOW.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import missing
from workorders.connectors.transports import OutboundPolicy, deliver_http, verify_signature

SECRET = "s3cret-value-from-env"
LOOPBACK = OutboundPolicy.parse("127.0.0.1")


@dataclass
class Receiver:
    port: int
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    scheme: str = "http"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        state: Receiver = self.server.state
        state.received.append((self.path, dict(self.headers.items()), body))
        if self.path == "/hang":
            state.release.wait(10)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", state.url("/ok"))
            self.end_headers()
            return
        status = 500 if self.path == "/fail" else 200
        answer = json.dumps({"received": len(body), "status": status}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output should show failures, not access logs."""


def start(tls: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state = Receiver(server.server_address[1], scheme="https" if tls else "http")
    server.state = state  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    return server, state


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server, state = start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


def post(url: str, body: bytes = b'{"invoice": 1}', **kwargs: Any) -> Any:
    options: dict[str, Any] = {"content_type": "application/json",
                               "idempotency_key": "exp-42-r2-invoice",
                               "event": "export.invoice", "policy": LOOPBACK, **kwargs}
    return deliver_http(url, body, **options)


def test_headers_and_signature_verify_on_the_receiver(receiver: Receiver) -> None:
    body = '{"Invoice": {"CustomerNumber": "10042", "Text": "Umeå"}}'.encode()
    result = post(receiver.url("/ok"), body, secret=SECRET)
    assert result.ok and result.status_code == 200 and result.error is None
    assert json.loads(result.response_excerpt) == {"received": len(body), "status": 200}
    (path, headers, got), = receiver.received
    assert got == body and path == "/ok"
    assert headers["Idempotency-Key"] == "exp-42-r2-invoice"
    assert headers["X-Workorders-Event"] == "export.invoice"
    assert headers["Content-Type"] == "application/json"
    assert headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert verify_signature(SECRET, body, headers["X-Workorders-Signature"])
    assert not verify_signature("wrong", body, headers["X-Workorders-Signature"])
    assert not verify_signature(SECRET, body + b" ", headers["X-Workorders-Signature"])
    assert SECRET not in repr(result)


def test_signature_is_absent_without_secret_and_stale_ones_fail(receiver: Receiver) -> None:
    assert post(receiver.url("/ok")).ok
    assert "X-Workorders-Signature" not in receiver.received[0][1]
    post(receiver.url("/ok"), secret=SECRET, clock=lambda: 1_000_000.0)
    header = receiver.received[1][1]["X-Workorders-Signature"]
    assert header.startswith("t=1000000,v1=")
    assert not verify_signature(SECRET, receiver.received[1][2], header)  # replayed later
    assert verify_signature(SECRET, receiver.received[1][2], header, now=1_000_100)


def test_server_error_is_a_retryable_failure(receiver: Receiver) -> None:
    result = post(receiver.url("/fail"))
    assert not result.ok and result.status_code == 500 and result.retryable
    assert "500" in result.error and '"status": 500' in result.response_excerpt


def test_a_hanging_receiver_times_out(receiver: Receiver) -> None:
    result = post(receiver.url("/hang"), timeout_s=0.5)
    assert not result.ok and result.status_code is None and result.retryable
    assert "timed out" in result.error
    assert 450 <= result.duration_ms < 3000


def test_redirects_are_refused_not_followed(receiver: Receiver) -> None:
    result = post(receiver.url("/redirect"))
    assert not result.ok and result.status_code == 302 and not result.retryable
    assert "redirect" in result.error
    assert [p for p, _, _ in receiver.received] == ["/redirect"]


def test_loopback_is_refused_without_the_allow_list(receiver: Receiver) -> None:
    result = post(receiver.url("/ok"), policy=OutboundPolicy())
    assert not result.ok and not result.retryable and result.status_code is None
    assert "loopback" in result.error and "WORKORDERS_OUTBOUND_ALLOW" in result.error
    assert receiver.received == []


@pytest.mark.parametrize("allow", ["127.0.0.0/8", "localhost", "127.0.0.1 ::1/128"])
def test_the_allow_list_takes_hosts_and_networks(receiver: Receiver, allow: str) -> None:
    host = "localhost" if allow == "localhost" else "127.0.0.1"
    result = post(receiver.url("/ok", host), policy=OutboundPolicy.parse(allow))
    assert result.ok, result.error


@pytest.mark.parametrize(("url", "category"), [
    ("http://10.1.2.3/x", "private"), ("http://192.168.0.10/x", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]:8080/x", "loopback"), ("http://[::ffff:127.0.0.1]/x", "loopback"),
    ("http://224.0.0.1/x", "multicast"), ("http://0.0.0.0/x", "unspecified"),
    ("http://240.0.0.1/x", "reserved"), ("http://[fe80::1]/x", "link-local"),
])
def test_non_public_addresses_are_refused_before_connecting(url: str, category: str) -> None:
    result = post(url, policy=OutboundPolicy.parse("192.168.1.0/24 erp.internal"))
    assert not result.ok and not result.retryable
    assert f"a {category} address" in result.error
    assert result.duration_ms < 500


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/x", "not an http(s) URL"), ("no url", "not an http(s) URL"),
    ("https://user:pw@example.com/", "credentials in the URL"),
    ("https://example.com:99999/", "invalid port"),
])
def test_bad_urls_are_refused(url: str, message: str) -> None:
    result = post(url)
    assert not result.ok and message in result.error and "pw" not in result.error


def test_the_connection_goes_to_the_checked_address(receiver: Receiver,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a second lookup would answer a forbidden address; there is none."""
    answers = iter(["127.0.0.1"] + ["127.0.0.2"] * 5)
    calls: list[str] = []

    def fake_dns(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    result = post(receiver.url("/ok", "erp.rebind.test"),
                  policy=OutboundPolicy.parse("127.0.0.1/32"))
    assert result.ok, result.error
    assert calls == ["erp.rebind.test"]
    assert receiver.received[0][1]["Host"] == f"erp.rebind.test:{receiver.port}"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        missing("openssl", "it is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_tls_is_verified_with_sni_for_the_url_host(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server, state = start(tls)
    try:
        allow = OutboundPolicy.parse("localhost 127.0.0.1")
        untrusted = post(state.url("/ok", "localhost"), policy=allow)
        assert not untrusted.ok and "certificate verification failed" in untrusted.error
        trusting = ssl.create_default_context(cafile=str(cert))
        trusted = post(state.url("/ok", "localhost"), policy=allow, ssl_context=trusting)
        assert trusted.ok, trusted.error
        wrong_name = post(state.url("/ok", "127.0.0.1"), policy=allow, ssl_context=trusting)
        assert not wrong_name.ok and "certificate verification failed" in wrong_name.error
        assert len(state.received) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_extra_headers_arrive_but_cannot_replace_the_transports_own(
        receiver: Receiver) -> None:
    extra = {"Authorization": "Bearer gateway-key", "idempotency-key": "forged",
             "X-WORKORDERS-SIGNATURE": "t=1,v1=forged", "content-type": "text/plain"}
    body = b'{"to": "+46701234567"}'
    assert post(receiver.url("/ok"), body, secret=SECRET, headers=extra).ok
    (_, headers, _), = receiver.received
    assert headers["Authorization"] == "Bearer gateway-key"
    assert headers["Idempotency-Key"] == "exp-42-r2-invoice"
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, body, headers["X-Workorders-Signature"])
    assert "forged" not in repr(headers) and "text/plain" not in repr(headers)


def test_a_header_value_with_a_line_break_fails_without_quoting_it(
        receiver: Receiver) -> None:
    result = post(receiver.url("/ok"), headers={"Authorization": "Bearer key\r\nX-Evil: 1"})
    assert not result.ok and not result.retryable and receiver.received == []
    assert "line break" in result.error and "key" not in result.error
