"""Everything a participant's "people I met" page and its API show, read in a fixed
number of queries: per conversation, my rating, whether we stay in touch (and the other's
contact details only when both said yes), and the follow-up (sent, or possible, or why
not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from pairup.accounts.models import User
from pairup.asks.matching.eligibility import eligibility_before_ask
from pairup.asks.models import Engagement
from pairup.events.models import ConversationRating, Event, EventFollowUp, StayInTouch
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.queries import membership_of
from pairup.programs.rules import can_write_ask

from .met import Conversation, conversations_of


@dataclass(frozen=True)
class Contact:
    """What staying in touch exchanges: the email address and, for a mentor of the program,
    their profile page."""

    email: str
    profile_url: str


@dataclass(frozen=True)
class MetItem:
    conversation: Conversation
    my_rating: int | None
    i_said_yes: bool
    mutual: bool
    # Only when `mutual`: nothing of the other's contact before both said yes.
    contact: Contact | None
    follow_up: EventFollowUp | None
    follow_up_engagement: Engagement | None
    # Why no follow-up ask can go to this person (None: it can).
    follow_up_refusal: str | None

    @property
    def seat_id(self) -> int:
        return self.conversation.seat.pk


def contacts(program_id: int, slug: str, people: list[User]) -> dict[int, Contact]:
    """The contact details of `people` as staying in touch exchanges them (one query)."""
    mentors = set(
        Membership.objects.filter(
            program_id=program_id,
            user__in=people,
            is_mentor=True,
            mentor_status=MentorStatus.APPROVED,
        ).values_list("user_id", flat=True)
    )
    return {
        p.pk: Contact(
            p.email, reverse("mentor_profile", args=[slug, p.pk]) if p.pk in mentors else ""
        )
        for p in people
    }


def met_overview(event: Event, user: User, now: datetime) -> list[MetItem]:
    conversations = conversations_of(event, user)
    if not conversations:
        return []
    others = {c.other_user.pk: c.other_user for c in conversations}
    ratings = dict(
        ConversationRating.objects.filter(
            rater=user, seat__in=[c.seat.pk for c in conversations]
        ).values_list("seat_id", "rating")
    )
    said = set(
        StayInTouch.objects.filter(event=event, person=user, other__in=list(others)).values_list(
            "other_id", flat=True
        )
    )
    heard = set(
        StayInTouch.objects.filter(event=event, other=user, person__in=list(said)).values_list(
            "person_id", flat=True
        )
    )
    mutual = said & heard
    contact = contacts(event.program_id, event.program.slug, [others[pk] for pk in mutual])
    follow_ups = {
        f.invited_id: f
        for f in EventFollowUp.objects.filter(event=event, asker=user)
        .select_related("ask")
        .order_by("created_at", "pk")
    }
    engagements = {
        e.ask_id: e
        for e in Engagement.objects.filter(ask__in=[f.ask_id for f in follow_ups.values()])
    }
    if can_write_ask(membership_of(user, event.program_id)):
        verdicts = eligibility_before_ask(event.program_id, user, list(others), now)
        refusals = {pk: v.reason or None for pk, v in verdicts.items()}
    else:
        why = f"only mentees of {event.program.name} write asks"
        refusals = dict.fromkeys(others, why)
    items = []
    for c in conversations:
        other = c.other_user.pk
        follow_up = follow_ups.get(other)
        items.append(
            MetItem(
                conversation=c,
                my_rating=ratings.get(c.seat.pk),
                i_said_yes=other in said,
                mutual=other in mutual,
                contact=contact.get(other),
                follow_up=follow_up,
                follow_up_engagement=engagements.get(follow_up.ask_id) if follow_up else None,
                follow_up_refusal=refusals.get(other),
            )
        )
    return items
