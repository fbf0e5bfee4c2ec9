"""A real SMTP server for tests (aiosmtpd), in a thread on a free local port.

It keeps every message it accepted, parsed, and can refuse recipients with 550 or
answer 451 (try later), to show how delivery reacts. ``tls=True`` offers STARTTLS
with a certificate made for the test (and ``require_tls`` refuses mail without it);
``implicit_tls=True`` speaks TLS from the first byte (an ``smtps://`` server);
``auth`` requires a login.
"""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.outbox import parse
from tests.support.processes import free_port


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    busy: bool = False  # every RCPT answered 451
    auth_busy: bool = False  # every login answered 454 (cannot check it now)
    tls_used: list[bool] = field(default_factory=list)

    def url(self, *, scheme: str = "smtp", query: str = "", login: str = "") -> str:
        auth = f"{login}@" if login else ""
        return f"{scheme}://{auth}{self.host}:{self.port}" + (f"?{query}" if query else "")


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.server.busy:
            return "451 4.3.0 Try again later"
        if address.lower() in self.server.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.server.messages.append(parse(envelope.original_content or envelope.content))
        self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.server.tls_used.append(session.ssl is not None)
        return "250 Message accepted"


def _certificate(folder: Path) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, made now (``cryptography``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_path), str(key_path))
    return context


@contextmanager
def smtp_server(folder: Path | None = None, *, tls: bool = False, require_tls: bool = False,
                implicit_tls: bool = False,
                auth: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    """A running SMTP server; ``folder`` holds the TLS certificate when ``tls`` or
    ``implicit_tls``."""
    server = SmtpServer("127.0.0.1", free_port())
    kwargs: dict[str, Any] = {}
    if tls or implicit_tls:
        assert folder is not None, "a TLS server needs a folder for its certificate"
        context = _certificate(folder)
        if implicit_tls:
            kwargs["ssl_context"] = context
        else:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = require_tls
    if auth is not None:
        def check(_server: Any, _session: Any, _envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
            if server.auth_busy:
                return AuthResult(success=False, handled=False,
                                  message="454 4.7.0 Temporary authentication failure")
            ok = isinstance(data, LoginPassword) and \
                (data.login.decode(), data.password.decode()) == auth
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=check, auth_require_tls=False)
    controller = Controller(_Handler(server), hostname=server.host, port=server.port,
                            **kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
