"""Reads for asks, invitations and engagements, each scoped to who may see it (404 for
anyone else, never 403: outsiders do not learn that a thing exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pairup.accounts.models import User
from pairup.availability.queries import engagement_session_times
from pairup.programs.models import Membership, MentorStatus, Program
from pairup.programs.queries import get_program_for_user

from . import rules
from .load import mentor_load
from .matching.eligibility import pair_rules_by_program
from .models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    Block,
    Clarification,
    CohortRound,
    CohortRun,
    Engagement,
    EngagementStatus,
    Invitation,
    Message,
    Route,
    ThankYou,
)


def get_ask_for_user(user: User, pk: int) -> Ask:
    """The ask, for whoever `rules.can_see_ask` lets see it; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    ask = Ask.objects.select_related("program", "mentee__profile").filter(pk=pk).first()
    if ask is None or not rules.can_see_ask(user, ask):
        raise Http404("No such ask")
    return ask


def get_own_ask(user: User, pk: int) -> Ask:
    """The ask, for the mentee who wrote it; 404 for anyone else."""
    ask = get_ask_for_user(user, pk)
    if not rules.can_edit_ask(user, ask):
        raise Http404("No such ask")
    return ask


def get_matching_program_for_user(user: User, slug: str) -> tuple[Program, Membership]:
    """The program and the user's membership, for those who match its asks (its admins);
    404 for anyone else."""
    program, membership = get_program_for_user(user, slug)
    if not rules.can_match_asks(membership):
        raise Http404("No such program")
    return program, membership


def get_member_for_handover(
    user: User, slug: str, membership_id: int
) -> tuple[Program, Membership]:
    """The program and one of its members, for those who may hand that member's engagements
    over (`rules.can_hand_over`: its admins); 404 for anyone else and for a member of
    another program."""
    program, membership = get_program_for_user(user, slug)
    if not rules.can_hand_over(membership):
        raise Http404("No such program")
    member = (
        Membership.objects.select_related("user__profile", "program")
        .filter(program=program, pk=membership_id)
        .first()
    )
    if member is None:
        raise Http404("No such member")
    return program, member


def get_cohort_run_for_user(user: User, slug: str, pk: int) -> tuple[Program, CohortRun]:
    """A cohort run of the program, for those who match its asks; 404 for anyone else and
    for a run of another program."""
    program, _ = get_matching_program_for_user(user, slug)
    run = (
        CohortRun.objects.select_related("round", "created_by__profile")
        .defer("inputs")  # read when needed: it holds every record the run scored
        .filter(program=program, pk=pk)
    )
    found = run.first()
    if found is None:
        raise Http404("No such matching run")
    found.program = program
    return program, found


def get_cohort_round(program: Program, pk: int | None) -> CohortRound | None:
    """A sign-up round of `program` (None for None); 404 for a round of another program."""
    if pk is None:
        return None
    found = CohortRound.objects.filter(program=program, pk=pk).first()
    if found is None:
        raise Http404("No such sign-up round")
    return found


def get_invitation_for_user(user: User, pk: int) -> Invitation:
    """The invitation, for its mentor and the ask's mentee; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    invitation = (
        Invitation.objects.select_related("ask__program", "ask__mentee__profile", "mentor__profile")
        .filter(pk=pk)
        .first()
    )
    if invitation is None or not rules.can_see_invitation(user, invitation):
        raise Http404("No such invitation")
    return invitation


def get_engagement_for_user(user: User, pk: int) -> Engagement:
    """Only the two participants; admins read states and ratings elsewhere, never threads."""
    if not user.is_authenticated:
        raise Http404
    engagement = (
        Engagement.objects.select_related(
            "ask", "program", "mentee__profile", "mentor__profile", "handed_over_to__profile"
        )
        .filter(pk=pk)
        .first()
    )
    if engagement is None or not rules.can_see_engagement(user, engagement):
        raise Http404("No such engagement")
    return engagement


def engagements_for_user(user: User) -> QuerySet[Engagement]:
    return (
        Engagement.objects.filter(Q(mentee=user) | Q(mentor=user))
        .select_related("ask", "program", "mentee__profile", "mentor__profile")
        .order_by("-created_at", "-pk")
    )


def thread(engagement: Engagement) -> QuerySet[Message]:
    return engagement.messages.select_related("author__profile")


def clarifications(invitation: Invitation) -> QuerySet[Clarification]:
    return invitation.clarifications.select_related("author__profile")


def mentee_dashboard(user: User) -> dict[str, object]:
    asks = list(
        Ask.objects.filter(mentee=user)
        .exclude(status=AskStatus.WITHDRAWN)
        .select_related("program", "engagement__mentor__profile")
        .prefetch_related(
            "topics",
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(status__in=LIVE_INVITATION).select_related(
                    "mentor__profile"
                ),
                to_attr="live_invitations",
            ),
        )
        .order_by("-created_at", "-pk")[:50]
    )
    return {"asks": asks}


def mentor_dashboard(user: User, now: datetime | None = None) -> dict[str, object]:
    now = now or timezone.now()
    invitations = list(
        Invitation.objects.filter(mentor=user, status__in=LIVE_INVITATION)
        .select_related("ask__program", "ask__mentee__profile")
        .prefetch_related("ask__topics")
        .order_by("expires_at", "pk")
    )
    active = list(
        Engagement.objects.filter(mentor=user, status=EngagementStatus.ACTIVE)
        .select_related("ask", "mentee__profile", "program")
        .order_by("-created_at", "-pk")
    )
    # One query for every program the person is in: the ones they mentor in get a load
    # meter, the others an "offer to mentor" button when they mentor nowhere yet.
    every = list(
        Membership.objects.filter(user=user).select_related("program").order_by("program__name")
    )
    memberships = [m for m in every if m.is_mentor]
    load = mentor_load(user.pk, now)
    loads = [
        {"membership": m, "used": load.month.count(m.program_id), "cap": m.effective_monthly_cap}
        for m in memberships
    ]
    thanks = list(
        ThankYou.objects.filter(engagement__mentor=user)
        .select_related("engagement__mentee__profile")
        .order_by("-created_at")[:10]
    )
    return {
        "invitations": invitations,
        "active": active,
        "loads": loads,
        "thanks": thanks,
        "own_caps": load.caps(),
        "now": now,
        "is_mentor": bool(memberships),
        "not_mentoring_in": [m for m in every if not m.is_mentor],
    }


def board_asks(user: User) -> QuerySet[Ask]:
    """Open-board asks of the programs where `user` is an approved mentor, without those
    whose mentee the program does not pair with them (`eligibility.PairRules`: its match
    rules, the reporting line, a block): a manager never sees their report's ask. A fixed
    number of queries."""
    programs = Membership.objects.filter(
        user=user, is_mentor=True, mentor_status=MentorStatus.APPROVED
    ).values("program_id")
    asks = Ask.objects.filter(
        program_id__in=programs, route=Route.BOARD, status=AskStatus.OPEN
    ).exclude(mentee=user)
    rows = list(asks.values_list("pk", "program_id", "mentee_id"))
    if rows:
        pairs = pair_rules_by_program(
            {program_id for _, program_id, _ in rows},
            mentee_ids={mentee_id for _, _, mentee_id in rows},
            mentor_ids=[user.pk],
        )
        unpaired = [
            pk for pk, program, mentee in rows if not pairs[program].allows(mentee, user.pk)
        ]
        if unpaired:
            asks = asks.exclude(pk__in=unpaired)
    return (
        asks.select_related("program", "mentee__profile")
        .prefetch_related("topics")
        .order_by("-created_at", "-pk")
    )


def public_thanks(mentor: User, program_id: int) -> QuerySet[ThankYou]:
    return ThankYou.objects.filter(
        engagement__mentor=mentor, engagement__program_id=program_id, on_profile=True
    ).select_related("engagement__mentee__profile")


def open_asks_count(mentee: User, program: Program) -> int:
    """The mentee's drafts and open asks in the program (what `max_open_asks` limits)."""
    return Ask.objects.filter(
        mentee=mentee, program=program, status__in=AskStatus.unmatched()
    ).count()


def is_blocked(a: User, b: User) -> bool:
    """Whether either of the two blocked the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


@dataclass(frozen=True)
class SessionTimes:
    """An engagement's booked or held sessions, split at `now`: those whose time has come
    (`started`) and those still ahead (`ahead`, start times)."""

    started: int
    ahead: list[datetime]


def session_times(engagement: Engagement, now: datetime) -> SessionTimes:
    """Where an engagement stands in time: what marking it done must handle (sessions
    ahead) and whether a session has taken place yet (thanks come after one)."""
    times = engagement_session_times(engagement.pk)
    return SessionTimes(
        started=sum(1 for start, _ in times if start <= now),
        ahead=[start for start, _ in times if start > now],
    )


def thanks_due(engagement: Engagement, now: datetime, times: SessionTimes | None = None) -> bool:
    """Whether the mentee may thank the mentor yet: once a session has taken place (also
    after the engagement was handed over), or once the engagement is done (a chat
    engagement may have no session at all). `times`: the
    engagement's `session_times`, if already read."""
    if engagement.status == EngagementStatus.COMPLETED:
        return True
    # Handed over to another mentor: the mentor who left is thanked for what took place.
    if engagement.status not in (EngagementStatus.ACTIVE, EngagementStatus.HANDED_OVER):
        return False
    return (times or session_times(engagement, now)).started > 0


def other_live_invitations(invitation: Invitation) -> int:
    """The mentor's other invitations in the same program still waiting on someone (what a
    pause hands on to other mentors)."""
    return (
        Invitation.objects.filter(
            mentor_id=invitation.mentor_id,
            ask__program_id=invitation.ask.program_id,
            status__in=LIVE_INVITATION,
        )
        .exclude(pk=invitation.pk)
        .count()
    )


def asks_to_invite_to(user: User, program: Program) -> list[Ask]:
    """`user`'s open asks in `program` that invite mentors one at a time (not on the board),
    oldest first, each with `live_invitations`: the invitation it waits on, if any (a
    mentor may be invited to an ask only while none is pending). Two queries."""
    if not user.is_authenticated:
        return []
    return list(
        Ask.objects.filter(program=program, mentee=user, status=AskStatus.OPEN, route=Route.INVITE)
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(status__in=LIVE_INVITATION).select_related(
                    "mentor__profile"
                ),
                to_attr="live_invitations",
            )
        )
        .order_by("created_at", "pk")
    )
