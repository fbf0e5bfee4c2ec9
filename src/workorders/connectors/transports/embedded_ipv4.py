"""IPv6 addresses that carry an IPv4 address inside them.

A translation gateway or relay (NAT64, 6to4, Teredo, SIIT) turns such an address
back into its IPv4 address on the operator's side, so ``64:ff9b::a00:1`` can reach
``10.0.0.1`` although Python calls the IPv6 form global. The SSRF guard therefore
refuses these forms unless the allow-list names them. IPv4-mapped addresses
(``::ffff:a.b.c.d``) are not here: the kernel connects to the IPv4 address itself,
so the guard checks that address like any other IPv4 address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

_V6 = ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class EmbeddedIPv4:
    form: str
    ipv4: ipaddress.IPv4Address


def _last_32_bits(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(address.packed[-4:])


def _nat64_local(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    """RFC 6052 /48 prefix: octets 6-7, then 9-10 (octet 8 is the reserved ``u`` octet)."""
    packed = address.packed
    return ipaddress.IPv4Address(packed[6:8] + packed[9:11])


def _sixtofour(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(address.packed[2:6])


def _teredo_client(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    teredo = address.teredo
    assert teredo is not None  # every address of 2001::/32 has a Teredo reading
    return teredo[1]


_FORMS: tuple[tuple[_V6, str, Callable[[ipaddress.IPv6Address], ipaddress.IPv4Address]], ...] = (
    (_V6("64:ff9b::/96"), "NAT64", _last_32_bits),
    (_V6("64:ff9b:1::/48"), "local-use NAT64", _nat64_local),
    (_V6("2002::/16"), "6to4", _sixtofour),
    (_V6("2001::/32"), "Teredo", _teredo_client),
    (_V6("::ffff:0:0:0/96"), "SIIT", _last_32_bits),
    (_V6("::/96"), "IPv4-compatible", _last_32_bits),
)
_NOT_COMPATIBLE = (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> EmbeddedIPv4 | None:
    """The form and IPv4 address ``address`` carries, or None for a plain IPv6 address."""
    if address in _NOT_COMPATIBLE:
        return None
    for network, form, extract in _FORMS:
        if address in network:
            return EmbeddedIPv4(form, extract(address))
    return None
