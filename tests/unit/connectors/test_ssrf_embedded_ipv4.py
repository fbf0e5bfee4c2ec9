"""The SSRF guard sees through IPv6 forms that carry an IPv4 address (issue 11, item 14)."""

from __future__ import annotations

import pytest

from workorders.connectors.transports import OutboundPolicy

EMBEDDING_FORMS = [
    ("64:ff9b::a00:1", "NAT64", "10.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254"),
    ("64:ff9b:1:a00:1:100::", "local-use NAT64", "10.0.1.1"),
    ("2002:a00:1::1", "6to4", "10.0.0.1"),
    ("::a00:1", "IPv4-compatible", "10.0.0.1"),
    ("::7f00:1", "IPv4-compatible", "127.0.0.1"),
    ("::ffff:0:a00:1", "SIIT", "10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo", "10.0.0.1"),
]


@pytest.mark.parametrize(("ip", "form", "ipv4"), EMBEDDING_FORMS)
def test_ipv6_forms_that_carry_an_ipv4_address_are_refused(ip: str, form: str,
                                                           ipv4: str) -> None:
    reason = OutboundPolicy().refusal("erp.example.com", ip)
    assert reason is not None
    assert f"carries the IPv4 address {ipv4} ({form})" in reason
    assert "WORKORDERS_OUTBOUND_ALLOW" in reason


@pytest.mark.parametrize("ip", ["64:ff9b::808:808", "2002:808:808::1"])
def test_they_are_refused_even_when_the_ipv4_address_is_public(ip: str) -> None:
    assert OutboundPolicy().refusal("erp.example.com", ip) is not None


@pytest.mark.parametrize(("ip", "allow"), [(ip, "erp.example.com") for ip, _, _ in EMBEDDING_FORMS]
                         + [("64:ff9b::a00:1", "64:ff9b::/96"), ("2002:a00:1::1", "2002::/16")])
def test_the_allow_list_admits_them_by_host_or_ipv6_network(ip: str, allow: str) -> None:
    assert OutboundPolicy.parse(allow).refusal("erp.example.com", ip) is None


@pytest.mark.parametrize(("ip", "category"), [("::ffff:10.0.0.1", "private"),
                                              ("::ffff:127.0.0.1", "loopback")])
def test_ipv4_mapped_addresses_are_checked_as_the_ipv4_address(ip: str, category: str) -> None:
    reason = OutboundPolicy().refusal("erp.example.com", ip)
    assert reason is not None and f"a {category} address" in reason


@pytest.mark.parametrize("ip", ["2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "8.8.8.8"])
def test_plain_public_addresses_still_pass(ip: str) -> None:
    assert OutboundPolicy().refusal("erp.example.com", ip) is None
