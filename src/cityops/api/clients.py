"""Who a request comes from: the socket's peer, or the client a trusted proxy names.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed
only from the reverse proxies the process is told to trust
(``CITYOPS_TRUSTED_PROXIES``, default none).  From a trusted peer the header is
read from the right, hop by hop, while each hop is itself a trusted proxy; the
first hop that is not is the client.  A hop that is not an IP address stops the
walk at the last address known good.  The answer feeds the login throttle and
the audit log, so a client that rotates a forged header from anywhere else is
still counted, and recorded, as the address it connects from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

__all__ = ["UNKNOWN_CLIENT", "client_address"]

UNKNOWN_CLIENT = "unknown"
"""The client of a request without a peer address (an in-process test client)."""


def client_address(
    peer: str | None,
    forwarded_for: Iterable[str],
    trusted: Sequence[IPv4Network | IPv6Network],
) -> str:
    """The client of a request from ``peer`` with the ``X-Forwarded-For`` header values
    ``forwarded_for``, given the ``trusted`` proxies."""
    if not peer:
        return UNKNOWN_CLIENT
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    client = peer
    for hop in reversed(hops):
        if not _is_address(hop):
            break
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed.version == network.version and parsed in network for network in trusted)
