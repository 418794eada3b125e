"""Who sees an event: drafts are for organisers, members-only events for members, and an
event of another program is a 404, never a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from pairup.events.models import Audience, Event, EventKind, EventState
from pairup.events.queries import event_access, get_event_for_organiser


def make_event(program, **fields) -> Event:
    start = timezone.now() + timedelta(days=7)
    values = {
        "program": program,
        "slug": "spring-speed",
        "kind": EventKind.SPEED_MENTORING,
        "title": "Spring speed mentoring",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "registration_closes_at": start - timedelta(days=1),
    }
    values.update(fields)
    return Event.objects.create(**values)


@pytest.mark.django_db
def test_a_draft_is_for_its_organisers_only(program, admin, mentee, mentor) -> None:
    event = make_event(program)
    assert get_event_for_organiser(admin, event.slug).organiser
    with pytest.raises(Http404):
        event_access(mentee, event.slug)
    event.organisers.add(mentor)
    assert get_event_for_organiser(mentor, event.slug).organiser


@pytest.mark.django_db
def test_a_published_event_is_for_members_unless_open_to_the_link(
    program, mentee, outsider
) -> None:
    event = make_event(program, state=EventState.PUBLISHED)
    assert not event_access(mentee, event.slug).organiser
    with pytest.raises(Http404):
        get_event_for_organiser(mentee, event.slug)
    with pytest.raises(Http404):
        event_access(outsider, event.slug)
    event.audience = Audience.ANYONE_WITH_LINK
    event.save()
    assert event_access(outsider, event.slug).member is None
