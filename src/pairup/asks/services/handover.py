"""Handing a leaving mentor's engagements over to other mentors, when the program's admins
offboard the mentor or remove them from the program.

An engagement handed over ends (status handed_over, naming who it went to); what is left
of it (`handover_plan.sessions_left`) becomes a new ask of the same mentee, offered to the
chosen mentor as an invitation like any other (they accept, decline or ask a question;
declining or letting it lapse re-routes it to the next suggested mentor), which says it is
a hand-over and what happened so far: facts, never the thread, which stays the two
people's. Sessions still booked with the leaving mentor are cancelled, both people emailed.
The mentee, the leaving mentor and the new mentor are told; emails go after commit.

Everything of one offboarding or removal is one transaction: a mentor refused for one
engagement (the eligibility rule named) refuses the whole of it, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.handover_plan import carried_ask, sessions_left
from pairup.asks.matching.eligibility import mentor_eligibility
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import (
    Ask,
    AskStatus,
    Engagement,
    EngagementStatus,
    Invitation,
    Route,
)
from pairup.asks.queries import SessionTimes, session_times
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.humanize import shorten
from pairup.core.validators import clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.audit import audit_record
from pairup.programs.member_services import member_remove, mentor_offboard
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.queries import membership_of

from .guards import require_active
from .invitations import _check_invitable, _invite
from .wrapup import engagement_closed


@dataclass(frozen=True)
class Handover:
    """The admin's choice for one engagement: hand it over to `mentor_id`, or (None) close
    it with a notice to the mentee. `note` goes to the new mentor with the invitation."""

    engagement_id: int
    mentor_id: int | None
    note: str = ""


@dataclass(frozen=True)
class HandoverDone:
    """What an offboarding or a removal did."""

    name: str
    handed_over: list[Invitation] = field(default_factory=list)
    engagements_closed: int = 0
    invitations_rerouted: int = 0
    asks_closed: int = 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def handover_context(engagement: Engagement, times: SessionTimes) -> str:
    """What the new mentor is told of the engagement so far: facts, never the thread."""
    messages = engagement.messages.count()
    resources = engagement.resources.count()
    return (
        f"Sessions taken place: {times.started} of {engagement.sessions_agreed}. Their thread "
        f"has {_plural(messages, 'message')} and {_plural(resources, 'shared resource')}, and "
        "stays private to the two of them."
    )


def engagement_hand_over(
    *,
    engagement: Engagement,
    mentor_id: int,
    by: User,
    why: str,
    note: str = "",
    field_prefix: str = "",
    now: datetime | None = None,
) -> Invitation:
    """Hand one engagement under way over to the mentor `mentor_id`, inside the caller's
    transaction (`mentor_offboard_handing_over`, `member_remove_handing_over`): the
    engagement ends as handed over; a new ask of its mentee with the sessions left is
    offered to the new mentor by an invitation noting the hand-over; its sessions still
    booked are cancelled (sessions, through `engagement_closed`). `why` says why the mentor
    leaves ("Priya Mentor has stepped down as a mentor."). Refuses (naming
    `{field_prefix}mentor`, the eligibility rule in words) a mentor who may not take it.

    Side effects: notices to the mentee, the leaving mentor and the new mentor (emails
    after commit); an audit entry `engagement_handed_over`."""
    now = now or timezone.now()
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("program", "ask__program", "ask__mentee__profile", "mentee", "mentor")
        .get(pk=engagement.pk)
    )
    require_active(engagement, "hand it over")
    old, mentee, ask = engagement.mentor, engagement.mentee, engagement.ask
    note = clean_text(
        note,
        field=f"{field_prefix}note",
        max_length=limits.HANDOVER_NOTE_MAX_LENGTH,
        multiline=True,
    )
    if mentor_id == old.pk:
        raise ServiceError(
            f"{old.display_name} is the mentor handing this engagement over: choose another.",
            code="same_mentor",
            field=f"{field_prefix}mentor",
        )
    times = session_times(engagement, now)
    sessions = sessions_left(engagement, times)
    carried = carried_ask(engagement, sessions)
    verdict = mentor_eligibility(carried, mentor_id, now)
    if not verdict.ok:
        who = User.objects.filter(pk=mentor_id).select_related("profile").first()
        name = who.display_name if who is not None else "This mentor"
        raise ServiceError(
            f"{name} cannot take over {mentee.display_name}'s engagement: {verdict.reason}.",
            code="mentor_not_eligible",
            field=f"{field_prefix}mentor",
        )
    # Where the new mentor stands among the suggestions, kept to learn from (as inviting does).
    ranked = suggest_mentors(carried, k=None, now=now)
    rank, found = next(
        ((i, s) for i, s in enumerate(ranked) if s.mentor.pk == mentor_id),
        (len(ranked), None),
    )
    new_ask = Ask.objects.create(
        program=engagement.program,
        mentee=mentee,
        kind=ask.kind,
        question=ask.question,
        tried=ask.tried,
        format=ask.format,
        duration=ask.duration,
        sessions=sessions,
        by=ask.by if ask.by is not None and ask.by >= now.date() else None,
        status=AskStatus.OPEN,
        route=Route.INVITE,
    )
    new_ask.topics.set(ask.topics.all())
    context = handover_context(engagement, times)
    engagement.status = EngagementStatus.HANDED_OVER
    engagement.closed_at = now
    engagement.closed_by = by
    engagement.cancel_reason = shorten(why, limits.SHORT_NOTE_MAX_LENGTH)
    engagement.handover_ask = new_ask
    engagement.handover_context = context
    engagement.handover_note = note
    _check_invitable(new_ask, mentor_id, now)
    mentor = User.objects.select_related("profile").get(pk=mentor_id)
    engagement.handed_over_to = mentor
    engagement.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "cancel_reason",
            "handover_ask",
            "handover_context",
            "handover_note",
            "handed_over_to",
        ]
    )
    ask.status = AskStatus.CLOSED
    ask.save(update_fields=["status", "updated_at"])
    answers = engagement_closed.send(
        sender=Engagement,
        engagement=engagement,
        by=None,
        cancelled=True,
        reason=f"{old.display_name} handed it over to {mentor.display_name}",
        now=now,
        handed_over=True,
    )
    counts: list[object] = [n for _, n in answers]
    cancelled = sum(n for n in counts if isinstance(n, int))
    invitation = _invite(
        new_ask,
        mentor,
        rank=rank,
        score=found.score if found is not None else 0.0,
        reasons=found.reasons if found is not None else (),
        now=now,
        handover=engagement,
    )
    booked = (
        f" The {_plural(cancelled, 'session')} booked with {old.display_name} "
        f"{'is' if cancelled == 1 else 'are'} cancelled."
        if cancelled
        else ""
    )
    notify(
        user=mentee,
        kind=Kind.REROUTED,
        text=f"{why} We invited {mentor.display_name} to take over your engagement.",
        url=new_ask.get_absolute_url(),
        email_body=(
            f"{why} The program's admins invited {mentor.display_name} to take over your "
            f"engagement on “{shorten(ask.question, 200)}”, with the "
            f"{_plural(sessions, 'session')} left. You will hear as soon as they accept; your "
            f"thread with {old.display_name} stays readable on the old engagement.{booked}"
        ),
    )
    notify(
        user=old,
        kind=Kind.WRAP_UP,
        text=f"Your engagement with {mentee.display_name} was handed over to "
        f"{mentor.display_name}.",
        url=engagement.get_absolute_url(),
    )
    audit_record(
        program=engagement.program,
        actor=by,
        action="engagement_handed_over",
        summary=f"Handed {mentee.display_name}'s engagement with {old.display_name} over to "
        f"{mentor.display_name}",
        target=engagement,
        before={"status": EngagementStatus.ACTIVE.value, "mentor": old.pk},
        after={
            "status": EngagementStatus.HANDED_OVER.value,
            "mentor": mentor.pk,
            "ask": new_ask.pk,
            "invitation": invitation.pk,
            "sessions": sessions,
            "sessions_cancelled": cancelled,
        },
        now=now,
    )
    return invitation


def _require_handing_over(membership: Membership, by: User) -> None:
    if not rules.can_hand_over(membership_of(by, membership.program_id)):
        raise Forbidden("Only this program's admins can do that.")


def _hand_over_all(
    membership: Membership,
    handovers: Sequence[Handover],
    by: User,
    why: str,
    now: datetime,
) -> list[Invitation]:
    """Check every choice names an engagement under way with the member as the mentor (once),
    then hand over those with a mentor. Those to close are left for the departure."""
    ids = set(
        Engagement.objects.filter(
            program_id=membership.program_id,
            mentor_id=membership.user_id,
            status=EngagementStatus.ACTIVE,
        ).values_list("pk", flat=True)
    )
    seen: set[int] = set()
    for i, choice in enumerate(handovers):
        if choice.engagement_id not in ids:
            raise ServiceError(
                f"{membership.user.display_name} has no engagement under way here with "
                f"this id ({choice.engagement_id}).",
                code="unknown_engagement",
                field=f"handovers.{i}.engagement",
            )
        if choice.engagement_id in seen:
            raise ServiceError(
                "This engagement is listed twice.",
                code="duplicate",
                field=f"handovers.{i}.engagement",
            )
        seen.add(choice.engagement_id)
    invitations = []
    for i, choice in enumerate(handovers):
        if choice.mentor_id is None:
            continue
        invitations.append(
            engagement_hand_over(
                engagement=Engagement(pk=choice.engagement_id),
                mentor_id=choice.mentor_id,
                by=by,
                why=why,
                note=choice.note,
                field_prefix=f"handovers.{i}.",
                now=now,
            )
        )
    return invitations


@transaction.atomic
def mentor_offboard_handing_over(
    *,
    membership: Membership,
    by: User,
    handovers: Sequence[Handover] = (),
    now: datetime | None = None,
) -> HandoverDone:
    """Offboard a mentor (`programs.member_services.mentor_offboard`: they take no asks
    here from now on), handing the engagements named in `handovers` with a mentor over to
    that mentor (`engagement_hand_over`) first; the rest of their engagements under way here
    are closed with a notice to the mentee, the invitations waiting on them re-routed. All
    or nothing. Only the program's admins (Forbidden); an engagement named that is not
    theirs under way here, or named twice, is refused naming `handovers.<i>.engagement`.

    Side effects: those of each hand-over and of `mentor_offboard` (audit entries
    `engagement_handed_over`, `mentor_offboarded`)."""
    _require_handing_over(membership, by)
    now = now or timezone.now()
    membership = Membership.objects.select_related("user__profile", "program").get(pk=membership.pk)
    name = membership.user.display_name
    if not membership.is_mentor:
        raise Conflict(f"{name} is not a mentor here.", code="not_a_mentor")
    if membership.mentor_status == MentorStatus.OFFBOARDED:
        raise Conflict(f"{name} was offboarded already.", code="already_offboarded")
    handed = _hand_over_all(membership, handovers, by, f"{name} has stepped down as a mentor.", now)
    done = mentor_offboard(membership=membership, by=by, now=now)
    return HandoverDone(
        name=name,
        handed_over=handed,
        engagements_closed=done.engagements_closed,
        invitations_rerouted=done.invitations_rerouted,
    )


@transaction.atomic
def member_remove_handing_over(
    *,
    membership: Membership,
    by: User,
    handovers: Sequence[Handover] = (),
    now: datetime | None = None,
) -> HandoverDone:
    """Remove a member from the program (`programs.member_services.member_remove`), handing
    the engagements named in `handovers` with a mentor over to that mentor first; the rest
    is settled as a removal settles it (engagements closed with a notice, invitations
    re-routed, their open asks withdrawn). All or nothing; refusals as
    `mentor_offboard_handing_over`, and the last admin stays (409 `last_admin`).

    Side effects: those of each hand-over and of `member_remove`."""
    _require_handing_over(membership, by)
    now = now or timezone.now()
    membership = Membership.objects.select_related("user__profile", "program").get(pk=membership.pk)
    name = membership.user.display_name
    program = membership.program
    handed = _hand_over_all(membership, handovers, by, f"{name} has left {program.name}.", now)
    removal = member_remove(membership=membership, by=by, now=now)
    return HandoverDone(
        name=name,
        handed_over=handed,
        engagements_closed=removal.engagements_closed,
        invitations_rerouted=removal.invitations_rerouted,
        asks_closed=removal.asks_closed,
    )
