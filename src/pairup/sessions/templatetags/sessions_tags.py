"""Sessions on other apps' pages, found by name at render time (`{% load sessions_tags %}`),
so the apps below never import this one: upcoming sessions on the dashboards, an
engagement's sessions on its page, the calendar feed address on the availability page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from pairup.asks.models import Engagement
from pairup.sessions import queries, services
from pairup.sessions.models import Session, SessionStatus
from pairup.sessions.views import sessions_context

register = template.Library()


@register.simple_tag(takes_context=True)
def upcoming_sessions(context: template.Context, limit: int = 10) -> list[Session]:
    """The signed-in person's booked sessions that have not ended, soonest first (one query
    whatever the number of sessions)."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(
        queries.sessions_for_user(user).filter(status=SessionStatus.BOOKED, end__gt=timezone.now())[
            :limit
        ]
    )


@register.simple_tag(takes_context=True)
def engagement_sessions(context: template.Context, engagement: Engagement) -> dict[str, Any]:
    """The engagement page's sessions section: `sessions`, `sessions_left` and, for the
    mentee while sessions are left, the slot `picker`."""
    return sessions_context(context["request"], engagement)


@register.simple_tag(takes_context=True)
def my_calendar_feed_url(context: template.Context) -> str:
    """The signed-in person's private calendar feed address (made on first use)."""
    user = context["request"].user
    if not user.is_authenticated:
        return ""
    return services.calendar_feed_url(services.calendar_feed_get(user=user))
