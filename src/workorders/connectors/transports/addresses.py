"""Where outgoing HTTP may go: the SSRF guard.

A connector URL is written by a tenant admin, so without a check it could point the
server at the operator's own network (``http://10.0.0.5/admin``, cloud metadata at
``169.254.169.254``). Every address a host name resolves to must be public unless
the installation's allow-list (``WORKORDERS_OUTBOUND_ALLOW``: host names or CIDRs)
names it. The HTTP transport then connects to exactly the address checked here, so
a DNS answer that changes between check and connect (rebinding) cannot slip past.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DestinationRefused
from .embedded_ipv4 import embedded_ipv4

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Host names and networks that may be reached although not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> OutboundPolicy:
        """From ``"127.0.0.1, erp.internal 10.0.0.0/8"`` or a list of such entries."""
        items = re.split(r"[\s,]+", entries) if isinstance(entries, str) else list(entries)
        hosts, networks = set(), []
        for item in (i.strip() for i in items):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def refusal(self, host: str, ip: str) -> str | None:
        """Why ``ip`` (which ``host`` resolved to) may not be reached, or None."""
        address = _unmapped(ipaddress.ip_address(ip.split("%", 1)[0]))
        if host.lower().rstrip(".") in self.hosts:
            return None
        if any(address.version == n.version and address in n for n in self.networks):
            return None
        embedded = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
        if embedded is not None:
            return (f"{host} resolves to {address}, an IPv6 address that carries the IPv4 "
                    f"address {embedded.ipv4} ({embedded.form}), which a gateway could turn "
                    "into an address inside the network; outgoing deliveries only go there "
                    "if WORKORDERS_OUTBOUND_ALLOW lists the host or the IPv6 network")
        if address.is_global and not address.is_multicast:
            return None
        return (f"{host} resolves to {address}, a {_category(address)} address; outgoing "
                "deliveries only go to public addresses unless WORKORDERS_OUTBOUND_ALLOW "
                "lists the host or network")


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _category(address: IPAddress) -> str:
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "non-public"


def resolve(host: str, port: int, policy: OutboundPolicy) -> list[tuple[int, str]]:
    """(family, ip) for every address of ``host``; refused if any of them is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DestinationRefused(f"cannot resolve {host}: {exc.strerror}") from exc
    seen: list[tuple[int, str]] = []
    for family, _, _, _, sockaddr in infos:
        entry = (family, str(sockaddr[0]))
        if entry not in seen:
            seen.append(entry)
    for _, ip in seen:
        reason = policy.refusal(host, ip)
        if reason:
            raise DestinationRefused(reason)
    return seen
