"""What a member leaves behind in a program as the admins see it before offboarding them as
a mentor or removing them: each engagement under way with them as the mentor, with the
mentors best placed to take it over (the suggestions of `matching.suggestions`, their
reasons, through the one eligibility rule and load) and the one chosen by default; the
invitations waiting on them (re-routed); and, for a removal, their own asks and
engagements as a mentee (closed). Reads only; `services.handover` writes.

A hand-over offers the rest of the engagement as a new ask (`carried_ask`): the sessions
agreed that have not taken place, at least one. The mentors who may take it are those
eligible for the ask with those sessions: the leaving mentor, and anyone invited to the
ask before (who declined it, or let it lapse), are not offered it again.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from pairup.programs.models import Membership, Program

from .matching.eligibility import eligibility
from .matching.suggestions import MentorSuggestion, suggest_mentors
from .models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    Engagement,
    EngagementStatus,
    Invitation,
)
from .queries import SessionTimes, session_times

# How many mentors the admin is offered per engagement.
OPTIONS = 3


def sessions_left(engagement: Engagement, times: SessionTimes) -> int:
    """The sessions a hand-over carries on: those agreed that have not taken place (one at
    least: an engagement under way with every session behind it still has its follow-up)."""
    return max(1, min(3, engagement.sessions_agreed - times.started))


def carried_ask(engagement: Engagement, sessions: int) -> Ask:
    """The engagement's ask as the mentor taking over would get it: the same ask (its
    mentee, topics, and the mentors invited to it before) with the sessions left. Not
    saved: what eligibility and the suggestions are asked about."""
    carried = copy.copy(engagement.ask)
    carried.sessions = sessions
    return carried


@dataclass(frozen=True)
class EngagementToHandOver:
    engagement: Engagement
    times: SessionTimes
    sessions: int  # what the new ask asks for (`sessions_left`)
    options: list[MentorSuggestion]
    default: int | None  # the mentor chosen by default; None: close it

    @property
    def default_option(self) -> MentorSuggestion | None:
        return next((o for o in self.options if o.mentor.pk == self.default), None)


@dataclass(frozen=True)
class HandoverPlan:
    program: Program
    member: Membership
    removing: bool
    engagements: list[EngagementToHandOver] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    # A removal only: what the member leaves as a mentee (closed, withdrawn).
    mentee_engagements: list[Engagement] = field(default_factory=list)
    mentee_asks: list[Ask] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.engagements or self.invitations or self.mentee_engagements or self.mentee_asks
        )


def mentor_engagements(member: Membership) -> list[Engagement]:
    """The engagements under way with `member` as the mentor in their program, oldest first."""
    return list(
        Engagement.objects.filter(
            program_id=member.program_id, mentor_id=member.user_id, status=EngagementStatus.ACTIVE
        )
        .select_related("ask__program", "ask__mentee__profile", "mentee__profile", "mentor")
        .order_by("created_at", "pk")
    )


def handover_plan(
    member: Membership, *, removing: bool, now: datetime | None = None, k: int = OPTIONS
) -> HandoverPlan:
    """The plan shown before offboarding `member` as a mentor (`removing` False) or
    removing them from the program. Each engagement's default is its best suggestion with
    room left for it once the engagements before it in the list took theirs (a mentor with
    room for one is not the default of two), else closing it."""
    now = now or timezone.now()
    program = member.program
    taken: Counter[int] = Counter()
    items = []
    for engagement in mentor_engagements(member):
        times = session_times(engagement, now)
        sessions = sessions_left(engagement, times)
        ask = carried_ask(engagement, sessions)
        options = [o for o in suggest_mentors(ask, k=k, now=now) if o.mentor.pk != member.user_id]
        verdicts = eligibility(ask, now, [o.mentor.pk for o in options]) if options else {}
        default = None
        for option in options:
            room = verdicts[option.mentor.pk].room
            if room is None or room - taken[option.mentor.pk] >= sessions:
                default = option.mentor.pk
                taken[default] += sessions
                break
        items.append(EngagementToHandOver(engagement, times, sessions, options, default))
    invitations = list(
        Invitation.objects.filter(
            mentor_id=member.user_id, ask__program=program, status__in=LIVE_INVITATION
        )
        .select_related("ask__mentee__profile")
        .order_by("created_at", "pk")
    )
    mentee_engagements: list[Engagement] = []
    mentee_asks: list[Ask] = []
    if removing:
        mentee_engagements = list(
            Engagement.objects.filter(
                program=program, mentee_id=member.user_id, status=EngagementStatus.ACTIVE
            )
            .select_related("ask", "mentor__profile")
            .order_by("created_at", "pk")
        )
        mentee_asks = list(
            Ask.objects.filter(
                Q(status__in=AskStatus.unmatched()), program=program, mentee_id=member.user_id
            ).order_by("created_at", "pk")
        )
    return HandoverPlan(
        program=program,
        member=member,
        removing=removing,
        engagements=items,
        invitations=invitations,
        mentee_engagements=mentee_engagements,
        mentee_asks=mentee_asks,
    )
