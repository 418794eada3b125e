from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


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
