"""List endpoints run a fixed number of queries, whatever the number of items (1 vs 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pairup.accounts.models import Expertise
from pairup.asks import services
from pairup.asks.matching.suggestions import DISPLAY_TTL_SECONDS
from pairup.asks.models import Message
from pairup.programs.models import Membership
from pairup.topics.models import Topic
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity, number {n}?"


def _engaged(program, mentor, n: int):
    mentee = UserFactory(profile_fields={"display_name": f"Mentee {n}"})
    Membership.objects.create(program=program, user=mentee, is_mentee=True)
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer", "sql"],
        question=QUESTION.format(n=n),
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    services.message_post(engagement=engagement, by=mentee, body=f"Hello {n}")
    services.engagement_close(engagement=engagement, by=mentor)
    services.feedback_give(engagement=engagement, by=mentee, rating=5)
    return engagement


def _pending(program, mentor, n: int):
    mentee = UserFactory(profile_fields={"display_name": f"Waiting {n}"})
    Membership.objects.create(program=program, user=mentee, is_mentee=True)
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["sql"], question=QUESTION.format(n=n)
    )
    return services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def test_list_endpoints_do_not_grow_with_items(api, program, mentee, mentor, admin):
    program.mentor_monthly_cap = 20
    program.max_open_asks = 10
    program.save()
    as_mentor, as_admin, as_mentee = api(mentor), api(admin), api(mentee)
    first = _engaged(program, mentor, 1)
    _pending(program, mentor, 1)
    own = services.ask_create(
        program=program, mentee=mentee, topics=["sql"], question=QUESTION.format(n=0)
    )
    services.invitation_create(ask=own, mentor_id=mentor.pk, by=mentee)
    for client in (as_mentor, as_admin, as_mentee):
        client.get("/me")  # the token's first use records last_used_at: not part of a list
    paths = {
        "asks": (as_mentee, "/asks"),
        "invitations": (as_mentor, "/invitations"),
        "engagements": (as_mentor, "/engagements"),
        "admin": (as_admin, "/programs/acme/engagements"),
    }
    one = {name: _count(c, p) for name, (c, p) in paths.items()}
    one_thread = _count(as_mentor, f"/engagements/{first.pk}/messages")

    for n in (2, 3):
        _engaged(program, mentor, n)
        _pending(program, mentor, n)
        ask = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["sql", "negotiating-an-offer"],
            question=QUESTION.format(n=10 + n),
        )
    for n in (2, 3):  # the engagement is closed: rows straight in, as the thread had them
        Message.objects.create(
            engagement=first, author=mentor, body=f"More {n}", created_at=first.created_at
        )
    assert ask.status == "open"
    three = {name: _count(c, p) for name, (c, p) in paths.items()}
    assert as_mentor.get("/engagements").json()["count"] == 3
    assert as_mentor.get("/invitations").json()["count"] == 4
    assert as_mentee.get("/asks").json()["count"] == 3
    assert three == one
    assert as_mentor.get(f"/engagements/{first.pk}/messages").json()["count"] == 3
    assert one_thread == _count(as_mentor, f"/engagements/{first.pk}/messages")


def test_suggestions_do_not_grow_with_history_or_mentors(api, program, mentee, mentor):
    # Suggestions read every mentor's history and availability of the program on each call:
    # one query per mentor or per past engagement would be the page's whole cost.
    program.mentor_monthly_cap = 20
    program.max_open_asks = 10
    program.save()
    as_mentee = api(mentee)
    _engaged(program, mentor, 1)
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["sql"], question=QUESTION.format(n=0)
    )
    as_mentee.get("/me")
    path = f"/asks/{ask.pk}/suggestions"
    assert [s["mentor"]["id"] for s in as_mentee.get(path).json()] == [mentor.pk]
    cache.clear()  # count the scoring, not the display cache
    one = _count(as_mentee, path)

    for n in (2, 3):
        _engaged(program, mentor, n)
        make_mentor(program, topics={"sql": "expert"}, display_name=f"Mentor {n}")
    cache.clear()
    assert len(as_mentee.get(path).json()) == 3
    cache.clear()
    assert _count(as_mentee, path) == one


def test_suggestions_shown_are_kept_briefly_but_follow_the_mentees_own_changes(
    api, program, mentee, mentor
):
    # A reload within DISPLAY_TTL_SECONDS shows the same list without scoring again; a
    # mentor's new expertise shows once it runs out, an invitation the mentee sends shows at
    # once (and so does a change to the program's members, pools or rules:
    # matching/test_suggestion_cache.py).
    program.max_open_asks = 10
    program.save()
    as_mentee = api(mentee)
    other = make_mentor(program, display_name="Other Mentor")
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["sql"], question=QUESTION.format(n=0)
    )
    path = f"/asks/{ask.pk}/suggestions"
    first = as_mentee.get(path).json()
    assert [s["mentor"]["id"] for s in first] == [mentor.pk]
    Expertise.objects.create(
        profile=other.profile, topic=Topic.objects.get(slug="sql"), level="expert"
    )
    assert as_mentee.get(path).json() == first
    hit = _count(as_mentee, path)
    with time_machine.travel(timezone.now() + timedelta(seconds=DISPLAY_TTL_SECONDS + 1)):
        ids = {s["mentor"]["id"] for s in as_mentee.get(path).json()}
        cache.clear()
        miss = _count(as_mentee, path)
    assert ids == {mentor.pk, other.pk}
    assert hit < miss
    services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    assert [s["mentor"]["id"] for s in as_mentee.get(path).json()] == [other.pk]
