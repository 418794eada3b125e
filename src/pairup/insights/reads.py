"""The tables each cached insight reads: a write to any other leaves it cached
(`pairup.insights.freshness`). Models only, so the statement wrapper that watches every
write can learn the watched tables without importing the figures. tests/insights/
test_freshness.py checks each figure's and each alert's queries against these lists."""

from __future__ import annotations

from django.db.models import Model

from pairup.accounts.models import Expertise, Profile, User
from pairup.asks.models import Ask, Engagement, Feedback, Invitation, ThankYou
from pairup.availability.models import Availability, Commitment
from pairup.events.models import (
    ConversationRating,
    Event,
    EventFollowUp,
    EventSchedule,
    Registration,
    Seat,
)
from pairup.programs.models import Membership, Program
from pairup.sessions.models import Session, SessionFeedback
from pairup.topics.models import Topic


def _tables(*models: type[Model]) -> frozenset[str]:
    return frozenset(m._meta.db_table for m in models)


# The tables each figure reads, without filters. A site or pool filter reads the people's
# memberships, pools and profiles as well (`FILTER_READS`, `Scope.people`).
READS: dict[str, frozenset[str]] = {
    "funnel": _tables(Ask, Invitation, Engagement, Session),
    "response_times": _tables(Ask, Invitation, Engagement),
    "sessions": _tables(Session, Engagement),
    "ratings": _tables(
        Feedback, SessionFeedback, Session, Engagement, Ask, Ask.topics.through, Topic
    ),
    "mentor_load": _tables(Session, Engagement, Membership, Program, User),
    "cross_site": _tables(Engagement, User, Profile),
    "topics": _tables(
        Ask,
        Ask.topics.through,
        Topic,
        Engagement,
        Invitation,
        Expertise,
        Profile,
        User,
        Membership,
        Program,
        Availability,
        Commitment,
    ),
    "thanks": _tables(ThankYou, Engagement),
    "events": _tables(
        Event, Registration, EventSchedule, Seat, ConversationRating, EventFollowUp, Ask, Engagement
    ),
}
FILTER_READS = _tables(Membership, Membership.pools.through, User, Profile)
# Figures that change with the clock as well as with the rows: the free capacity counts the
# mentors' current week and month, the events the rounds played by now.
CLOCK = frozenset({"topics", "events"})


# The health alerts (`pairup.insights.alerts`): the topics figure's and the rules' (a
# mentor's load and caps, the program's response window, asks and invitations).
ALERT_READS = READS["topics"] | _tables(Availability, Commitment, Program, Membership, Ask)


def watched() -> frozenset[str]:
    """Every table a cached insight reads."""
    return FILTER_READS.union(*READS.values(), ALERT_READS)
