from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from . import calendar, queries
from .models import CalendarFeed


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed; the secret token in the address is the only key."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    sessions = queries.sessions_for_user(feed.user)
    response = HttpResponse(
        calendar.feed_ics(sessions, feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
