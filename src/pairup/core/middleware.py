from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from . import channel

logger = logging.getLogger(__name__)


def activate_user_timezone(user: object) -> None:
    profile = getattr(user, "profile", None)
    name = getattr(profile, "timezone", None)
    try:
        timezone.activate(ZoneInfo(name)) if name else timezone.deactivate()
    except (KeyError, ValueError):
        timezone.deactivate()


class UserTimezoneMiddleware:
    """Show every signed-in person times in their own zone (stored times stay UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = None
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            name = profile.timezone if profile is not None else None
        if name:
            try:
                timezone.activate(ZoneInfo(name))
            except (KeyError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """`GET /healthz` for the load balancer: 200 `{"status": "ok", "database": "ok"}` after
    one cheap query, 503 when the database does not answer. It sits first in MIDDLEWARE so
    the probe needs no session, no login, no allowed Host header and no HTTPS redirect (load
    balancers probe the bare address over plain HTTP); the body never carries the error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response: HttpResponse = JsonResponse(
                {"detail": "Use GET.", "code": "method_not_allowed", "errors": []}, status=405
            )
            response["Allow"] = "GET, HEAD"
            return response
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.warning("health check: the database does not answer", exc_info=True)
            # A broken persistent connection must not be reused by the next request.
            connection.close_if_unusable_or_obsolete()
            response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
        return response


class ChannelMiddleware:
    """Tags what a request does as done through the API or a web page (core.channel)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = channel.API if request.path.startswith("/api/") else channel.WEB
        with channel.channel(name):
            return self.get_response(request)
