"""The client of a request (``cityops.api.clients``): ``X-Forwarded-For`` counts only
from a trusted proxy, read from the right while its hops are trusted proxies too."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.api.clients import UNKNOWN_CLIENT, client_address

PROXIES = (ip_network("10.0.0.1"), ip_network("192.0.2.0/24"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("198.51.100.7", ["203.0.113.9"], "198.51.100.7"),  # untrusted peer: header ignored
        ("127.0.0.1", ["203.0.113.9"], "127.0.0.1"),  # loopback is not trusted by default
        ("10.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        ("10.0.0.1", [], "10.0.0.1"),
        ("10.0.0.1", ["198.51.100.1, 203.0.113.9, 192.0.2.4"], "203.0.113.9"),
        ("10.0.0.1", ["198.51.100.1", "203.0.113.9"], "203.0.113.9"),  # two header lines
        ("10.0.0.1", ["203.0.113.9, not-an-address"], "10.0.0.1"),
        ("10.0.0.1", ["not-an-address, 192.0.2.4"], "192.0.2.4"),
        ("10.0.0.1", ["192.0.2.9, 192.0.2.4"], "192.0.2.9"),  # all proxies: the farthest
        (None, ["203.0.113.9"], UNKNOWN_CLIENT),
    ],
)
def test_the_client_is_read_from_the_header_only_through_trusted_proxies(
    peer: str | None, forwarded_for: list[str], client: str
) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == client


addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@given(peer=addresses, header=st.lists(st.one_of(addresses, st.text(max_size=20)), max_size=5))
def test_an_untrusted_peer_is_its_own_client_whatever_it_sends(
    peer: str, header: list[str]
) -> None:
    assert client_address(peer, [", ".join(header)], ()) == peer


@given(header=st.lists(st.one_of(addresses, st.text(max_size=20)), max_size=5))
def test_behind_a_trusted_proxy_the_client_is_the_proxy_or_an_address_of_the_header(
    header: list[str],
) -> None:
    client = client_address("10.0.0.1", [",".join(header)], PROXIES)
    hops = {hop.strip() for value in header for hop in value.split(",")}
    assert client == "10.0.0.1" or client in hops
    assert isinstance(ip_address(client), IPv4Address | IPv6Address)
