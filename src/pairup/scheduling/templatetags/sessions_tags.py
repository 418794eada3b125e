"""Upcoming sessions on the dashboards: one query whatever the number of sessions."""

from __future__ import annotations

from django import template
from django.utils import timezone

from pairup.scheduling import queries
from pairup.scheduling.models import Session, SessionStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def upcoming_sessions(context: template.Context, limit: int = 10) -> list[Session]:
    """The signed-in person's booked sessions that have not ended, soonest first."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(
        queries.sessions_for_user(user).filter(status=SessionStatus.BOOKED, end__gt=timezone.now())[
            :limit
        ]
    )
