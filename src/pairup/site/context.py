"""Navigation counts for every page: unread notifications and whether to show mentor links."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from pairup.accounts.models import User
from pairup.programs.models import Membership


def _nav(user: User) -> dict[str, object]:
    # One query, and only on pages that render the navigation (htmx partials do not).
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread=Count("notifications", filter=Q(notifications__read_at__isnull=True)),
            is_mentor=Exists(Membership.objects.filter(user=OuterRef("pk"), is_mentor=True)),
        )
        .values("unread", "is_mentor")
        .first()
    )
    return row or {"unread": 0, "is_mentor": False}


def nav(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _nav(user))}
