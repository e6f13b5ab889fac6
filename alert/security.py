"""Sign-in throttling's helpers: the client's address (trusting forwarded
addresses only from proxies we configured) and the limit on password links."""

import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

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


class PasswordLinkThrottle(SimpleRateThrottle):
    """DRF's rate throttle, on the shared cache as the API's, for one client
    address or one email address: ``ALERT_PASSWORD_RESET_LIMIT`` an hour."""

    scope = "password-link"

    def __init__(self, identity: str):
        self.identity = identity
        super().__init__()

    def get_rate(self) -> str:
        return f"{settings.ALERT_PASSWORD_RESET_LIMIT}/hour"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.identity}


def password_link_allowed(request, email: str) -> bool:
    """Whether a request for a password link may go ahead, counting it if so.

    In the sign-in throttle's spirit: at most ``ALERT_PASSWORD_RESET_LIMIT``
    requests per hour from one address (``client_ip``, as django-axes sees it)
    and as many for one email address, counted whether or not the address has
    an account, so the answer never tells.
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    throttles = [
        PasswordLinkThrottle(f"ip:{client_ip(request)}"),
        PasswordLinkThrottle(f"email:{digest}"),
    ]
    return all([throttle.allow_request(request, None) for throttle in throttles])  # both count
