"""Suggestions on the real database: evidence from past engagements outranks words in a
bio, and the hard rules (monthly cap, shared language, a decline, program borders) keep
mentors out of the list, in the service and through the API alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import Ask
from pairup.programs.models import Membership
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
PAST_QUESTIONS = [
    "How do I negotiate my salary offer from a fintech company?",
    "They made me an offer: how do I negotiate equity and a signing bonus?",
    "How do I negotiate a counter-offer without losing the job offer?",
]


def _mentee(program, name: str):
    user = UserFactory(profile_fields={"display_name": name, "languages": ["en"]})
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


def _past_engagement(program, mentor, question: str, when: datetime, rating: int) -> None:
    """A completed, well-rated engagement on negotiation, months ago."""
    with time_machine.travel(when, tick=False):
        mentee = _mentee(program, f"Past mentee {when:%b}")
        ask = services.ask_create(
            program=program, mentee=mentee, topics=["negotiating-an-offer"], question=question
        )
        invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
        engagement = services.invitation_accept(invitation=invitation, by=mentor)
        services.engagement_close(engagement=engagement, by=mentor)
        services.feedback_give(engagement=engagement, by=mentee, rating=rating, applied="Countered")


def _paused(program, *mentors, on: bool) -> None:
    Membership.objects.filter(program=program, user__in=mentors).update(
        invitations_paused_until=NOW + timedelta(days=30) if on else None
    )


def test_evidence_outranks_bio_and_hard_rules_exclude(api, program, other_program, mentee):
    mentee.profile.languages = ["en"]
    mentee.profile.save()
    # Two mentors declaring the same (unrelated) expertise; only the bio of one talks about
    # negotiating, only the other has actually helped with it three times.
    veteran = make_mentor(
        program,
        topics={"career-goals": "experienced"},
        display_name="Vera Veteran",
        headline="Product analyst",
        bio="Analytics and product work; happy to chat about careers.",
        languages=["en"],
    )
    talker = make_mentor(
        program,
        topics={"career-goals": "experienced"},
        display_name="Tom Talker",
        headline="Product analyst",
        bio="I can help you negotiate an offer: salary negotiation, equity, signing bonus.",
        languages=["en"],
    )
    for month, question, rating in zip((10, 11, 12), PAST_QUESTIONS, (5, 5, 4), strict=True):
        _past_engagement(program, veteran, question, datetime(2025, month, 6, tzinfo=UTC), rating)

    # Strong candidates on paper, each kept out by one hard rule.
    capped = make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Cap Reached"
    )
    Membership.objects.filter(program=program, user=capped).update(monthly_cap=1)
    no_language = make_mentor(
        program,
        topics={"negotiating-an-offer": "expert"},
        display_name="Nur Deutsch",
        languages=["de"],
    )
    decliner = make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Dee Decliner"
    )
    elsewhere = make_mentor(
        other_program, topics={"negotiating-an-offer": "expert"}, display_name="Other Program"
    )
    hidden = {capped.pk, no_language.pk, decliner.pk, elsewhere.pk}

    with time_machine.travel(NOW, tick=False):
        # The capped mentor took one session this month already.
        busy_mentee = _mentee(program, "Busy Mentee")
        busy_ask = services.ask_create(
            program=program,
            mentee=busy_mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a relocation package?",
        )
        taken = services.invitation_create(ask=busy_ask, mentor_id=capped.pk, by=busy_mentee)
        services.invitation_accept(invitation=taken, by=capped)

        ask = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a data science job offer?",
        )
        # The decliner is invited and declines (with everyone else paused, the re-routing
        # finds nobody, so the ranking below is untouched).
        _paused(program, veteran, talker, on=True)
        invitation = services.invitation_create(ask=ask, mentor_id=decliner.pk, by=mentee)
        services.invitation_decline(invitation=invitation, by=decliner, reason="no_time")
        _paused(program, veteran, talker, on=False)
        assert Ask.objects.get(pk=ask.pk).status == "open"

        found = suggest_mentors(ask, k=50)
        ids = [s.mentor.pk for s in found]
        assert ids == [veteran.pk, talker.pk]
        assert found[0].score > found[1].score
        assert not hidden & set(ids)

        response = api(mentee).get(f"/asks/{ask.pk}/suggestions", k=50)
        assert response.status_code == 200
        body = response.json()
        assert [s["mentor"]["id"] for s in body] == [veteran.pk, talker.pk]
        assert body[0]["mentor"] == {
            "id": veteran.pk,
            "display_name": "Vera Veteran",
            "headline": "Product analyst",
            "site": "",
        }
        assert body[0]["reasons"] == list(found[0].reasons)
        assert body[0]["responsiveness"] == found[0].responsiveness
        assert body[0]["score"] == found[0].score

        # Inviting a hidden mentor directly is refused, naming the field.
        for pk in sorted(hidden):
            refused = api(mentee).post(f"/asks/{ask.pk}/invitations", {"mentor": pk})
            assert refused.status_code in (409, 422), refused.json()
            if refused.status_code == 422:
                assert refused.json()["errors"] == [
                    {"field": "mentor", "message": refused.json()["detail"]}
                ]


def test_suggestions_are_the_mentees_alone(api, program, mentee, mentor, admin, outsider):
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science job offer?",
    )
    assert [s["mentor"]["id"] for s in api(mentee).get(f"/asks/{ask.pk}/suggestions").json()] == [
        mentor.pk
    ]
    for person in (mentor, admin, outsider):
        assert api(person).get(f"/asks/{ask.pk}/suggestions").status_code == 404
    bad = api(mentee).get(f"/asks/{ask.pk}/suggestions", k=0)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "k"
