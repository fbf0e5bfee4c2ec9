"""The ``http`` transport: one signed POST per attempt, standard library only.

What it guarantees, and why:

* the headers of the API contract's "Outgoing deliveries" (``Idempotency-Key``,
  ``X-Workorders-Event``, ``X-Workorders-Signature`` when a secret is given), so a
  receiver can verify and de-duplicate;
* TLS verification on (the default context), with SNI and the certificate checked
  against the URL's host name although the socket goes to a pinned address;
* the destination checked by :mod:`.addresses` and the connection made to exactly
  that address (DNS rebinding cannot redirect it), and the peer re-checked after
  connecting;
* redirects are failures, not followed: a 3xx could lead anywhere, including past
  the address check, and an ERP endpoint that moved is a configuration change;
* a time-out on connect and on every read; at most 2 KiB of the answer is kept.

It never raises for a failed delivery; it returns a :class:`DeliveryResult`.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import DestinationRefused
from .addresses import OutboundPolicy, resolve
from .result import DeliveryResult
from .signing import signature

USER_AGENT = "workorders-connector/1"
_EXCERPT_BYTES = 2048
#: the headers this transport sets; a caller's extra headers cannot replace them
_OWN_HEADERS = frozenset({"content-type", "content-length", "host", "idempotency-key",
                          "user-agent", "x-workorders-event", "x-workorders-signature"})


def _pinned_socket(addresses: list[tuple[int, str]], port: int, timeout: float | None,
                   host: str, policy: OutboundPolicy) -> socket.socket:
    """A socket to the first reachable checked address, connected without another DNS
    lookup (``create_connection`` would resolve again); the peer is checked again."""
    error: OSError = OSError(f"no address for {host}")
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            error = exc
            continue
        reason = policy.refusal(host, str(sock.getpeername()[0]))
        if reason:
            sock.close()
            raise DestinationRefused(reason)
        return sock
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a pre-checked address, keeping the URL's Host header."""

    def __init__(self, host: str, port: int, addresses: list[tuple[int, str]], timeout: float,
                 policy: OutboundPolicy) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses, self._policy = addresses, policy

    def connect(self) -> None:
        self.sock = _pinned_socket(self._addresses, self.port, self.timeout, self.host,
                                   self._policy)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a pre-checked address, with SNI and certificate check for the host name."""

    def __init__(self, host: str, port: int, addresses: list[tuple[int, str]], timeout: float,
                 policy: OutboundPolicy, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses, self._policy, self._tls = addresses, policy, context

    def connect(self) -> None:
        sock = _pinned_socket(self._addresses, self.port, self.timeout, self.host,
                              self._policy)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def deliver_http(url: str, body: bytes, *, content_type: str, idempotency_key: str,
                 event: str, secret: str | None = None, timeout_s: float = 10.0,
                 policy: OutboundPolicy | None = None,
                 ssl_context: ssl.SSLContext | None = None,
                 clock: Callable[[], float] = time.time,
                 headers: Mapping[str, str] | None = None) -> DeliveryResult:
    """POST ``body`` to ``url`` once; the outcome, never an exception. ``headers``
    adds the receiver's own (an SMS gateway's ``Authorization``); they cannot
    replace the signature, idempotency or event headers."""
    started = time.monotonic()

    def result(ok: bool, status: int | None, error: str | None, excerpt: str | None = None,
               retryable: bool = True) -> DeliveryResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return DeliveryResult(ok, status, error, elapsed, excerpt, retryable)

    sent = {name: value for name, value in (headers or {}).items()
            if name.lower() not in _OWN_HEADERS}
    sent |= {"Content-Type": content_type, "Idempotency-Key": idempotency_key,
             "X-Workorders-Event": event, "User-Agent": USER_AGENT}
    if secret:
        sent["X-Workorders-Signature"] = signature(secret, body, int(clock()))
    try:
        connection = _connection(url, timeout_s, policy or OutboundPolicy(), ssl_context)
    except DestinationRefused as exc:
        return result(False, None, exc.message, retryable=False)
    try:
        connection.request("POST", _target(url), body=body, headers=sent)
        response = connection.getresponse()
        excerpt = response.read(_EXCERPT_BYTES).decode("utf-8", "replace")
        status = response.status
    except DestinationRefused as exc:
        return result(False, None, exc.message, retryable=False)
    except TimeoutError:
        return result(False, None, f"no answer within {timeout_s:g} s (timed out)")
    except ssl.SSLCertVerificationError as exc:
        return result(False, None, f"TLS certificate verification failed: {exc.verify_message}")
    except ValueError:  # http.client's words would quote the value: a secret, maybe
        return result(False, None, "the address or a header has a line break or another "
                      "character HTTP does not allow", retryable=False)
    except (OSError, http.client.HTTPException) as exc:
        return result(False, None, f"connection failed: {exc.__class__.__name__}: {exc}")
    finally:
        connection.close()
    if 200 <= status < 300:
        return result(True, status, None, excerpt)
    if 300 <= status < 400:
        location = response.getheader("Location", "?")
        return result(False, status, f"the receiver redirected ({status} to {location}); "
                      "redirects are not followed: update the connector URL", excerpt,
                      retryable=False)
    return result(False, status, f"the receiver answered {status} {response.reason}", excerpt)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _connection(url: str, timeout_s: float, policy: OutboundPolicy,
                ssl_context: ssl.SSLContext | None) -> Any:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(f"'{url}' is not an http(s) URL")
    if parts.username or parts.password:
        raise DestinationRefused("credentials in the URL are not allowed; sign with a tenant "
                                 "secret ('secret') instead")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused(f"'{url}' has an invalid port") from exc
    host = parts.hostname
    addresses = resolve(host, port, policy)
    if parts.scheme == "https":
        return _PinnedHTTPS(host, port, addresses, timeout_s, policy,
                            ssl_context or ssl.create_default_context())
    return _PinnedHTTP(host, port, addresses, timeout_s, policy)
