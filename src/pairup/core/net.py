"""The client's address, found one way for everything that keys on it (sign-in limits on the
web form and the API, the API's throttles, allauth's own records)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str) -> str | None:
    """An address in canonical form, with any port or IPv6 brackets removed; None if it is not
    an address at all."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The socket's peer (REMOTE_ADDR), unless settings.NUM_PROXIES says how many proxies of
    ours sit in front: then the entry of X-Forwarded-For that the outermost of them appended.

    Each proxy appends the address it was connected from, so with N proxies the last N entries
    are trustworthy and the Nth from the end is the client; everything left of it was written
    by the client and is ignored. With no proxies the header is ignored entirely (a client
    could otherwise rotate it to escape every per-address limit). A header shorter than N
    (a request that skipped a proxy) gives its leftmost entry, as Django REST framework and
    django-ninja do; an entry that is not an address falls back to the socket's peer.
    Returns "" when not even REMOTE_ADDR is known.
    """
    remote = _clean(request.META.get("REMOTE_ADDR") or "") or ""
    proxies: int = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    entries = [e for e in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if e.strip()]
    if not entries:
        return remote
    return _clean(entries[-min(proxies, len(entries))]) or remote
