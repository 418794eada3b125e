"""Reads of events, with the access helpers that 404 whoever may not see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from pairup.accounts.models import User
from pairup.programs.models import Membership
from pairup.programs.queries import membership_of

from . import rules
from .models import Event


@dataclass(frozen=True)
class EventAccess:
    """An event as one person stands towards it."""

    event: Event
    member: Membership | None
    organiser: bool


def event_access(user: User, slug: str) -> EventAccess:
    """The event and the viewer's standing; 404 when there is no such event or the viewer
    may not see it (a draft, or a members-only event for a non-member)."""
    event = Event.objects.select_related("program").filter(slug=slug).first()
    if event is None:
        raise Http404("No such event")
    member = membership_of(user, event.program) if user.is_authenticated else None
    organiser = rules.can_organise_event(member, user, event)
    if not rules.can_see_event(member, organiser, event):
        raise Http404("No such event")
    return EventAccess(event, member, organiser)


def get_event_for_organiser(user: User, slug: str) -> EventAccess:
    """The event for one of its organisers; 404 for everyone else (never 403: an outsider
    learns nothing about another program's events)."""
    access = event_access(user, slug)
    if not access.organiser:
        raise Http404("No such event")
    return access
