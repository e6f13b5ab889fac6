"""Sign-in throttling's helpers: the client's address (trusting forwarded
addresses only from proxies we configured) and the limit on password links."""

import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PASSWORD_LINK_WINDOW = 60 * 60  # seconds


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


def password_link_allowed(request, email: str) -> bool:
    """Whether a request for a password link may go ahead, counting it if so.

    Within the sign-in throttle's spirit: at most ``ALERT_PASSWORD_RESET_LIMIT``
    requests per hour from one address (``client_ip``, as django-axes sees it)
    and as many for one email address, counted whether or not the address has
    an account, so the answer never tells. Counted in the default cache, which
    every app server shares when ``REDIS_URL`` is set.
    """
    limit = settings.ALERT_PASSWORD_RESET_LIMIT
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    keys = [f"password-link:ip:{client_ip(request)}", f"password-link:email:{digest}"]
    counts = []
    for key in keys:
        cache.add(key, 0, timeout=PASSWORD_LINK_WINDOW)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=PASSWORD_LINK_WINDOW)
            counts.append(1)
    return max(counts) <= limit
