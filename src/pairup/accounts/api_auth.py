from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from pairup.accounts.services import api_token_authenticate
from pairup.core.middleware import activate_user_timezone
from pairup.core.net import client_ip


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are looked up by their SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            activate_user_timezone(user)
        return user


# The signed-in browser session also works (with CSRF on unsafe methods).
session_auth = SessionAuth(csrf=True)
bearer_auth = BearerToken()
AUTH = [bearer_auth, session_auth]


class TokenEndpointThrottle(SimpleRateThrottle):
    """Every request per client address (pairup.core.net.client_ip), successes too; its
    state lives in the shared cache (database or Redis), so every app server sees the same
    count. Failed sign-ins have their own, tighter limit (pairup.accounts.signin)."""

    scope = "auth_token"

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)

    def get_ident(self, request: HttpRequest) -> str | None:
        # ninja's own reading trusts the whole X-Forwarded-For when NUM_PROXIES is unset.
        return client_ip(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
