"""The client's address for sign-in throttling: trust forwarded addresses only
from proxies we configured."""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``DJANGO_TRUSTED_PROXIES`` as networks (settings checked each entry)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The address that connected to our outermost trusted proxy.

    A request that did not come from a trusted proxy is answered by its own
    connection address: whatever it wrote in X-Forwarded-For is ignored, so a
    client cannot pick a new address for each guess. From a trusted proxy,
    X-Forwarded-For is read from the right (each proxy appends the address it
    received the request from), skipping our own proxies; the first address
    that is not one of them is the client. With no trusted proxies configured
    (the default), that is always REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    networks = trusted_networks(tuple(settings.ALERT_TRUSTED_PROXIES))
    if not networks or not remote or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote
