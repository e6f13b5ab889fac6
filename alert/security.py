"""The client's address for sign-in throttling, behind a known number of proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address that connected to our outermost proxy.

    Each proxy appends the address it received the request from to
    X-Forwarded-For, so with N proxies of our own in front, the N-th entry
    from the right is the client's; entries further left were written by the
    client and cannot be trusted. With no proxy, REMOTE_ADDR.
    """
    proxies = settings.ALERT_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
