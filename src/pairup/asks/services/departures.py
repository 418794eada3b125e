"""A member taken out of a program by its admins, or a mentor offboarded: what they leave
behind there is settled in the same transaction (`programs.services.member_removed`,
`mentor_offboarding`). Engagements the admins chose to hand over to other mentors are
handed over before (`handover`); what is still under way here is closed with a notice."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from pairup.accounts.models import User
from pairup.asks.models import Ask, AskStatus, Engagement, EngagementStatus, InvitationStatus
from pairup.programs.models import Program

from .guards import lock_ask
from .invitations import end_live_invitation, invitations_withdraw_for_mentor
from .wrapup import engagement_close


def member_departure(*, user: User, program: Program, now: datetime) -> dict[str, int]:
    """Settle what `user` leaves in `program`: invitations waiting on them as a mentor are
    withdrawn and each ask goes to the next suggested mentor (its mentee told); their
    engagements still under way there are cancelled, sessions ahead with them, the other
    person told why (a mentee is told to ask again; those the admins chose to hand over to
    another mentor were handed over before, `handover`); their own open asks there are
    withdrawn, an invited mentor told. Returns the counts by kind."""
    name = user.display_name
    rerouted = invitations_withdraw_for_mentor(
        mentor=user, program=program, now=now, why=f"has left {program.name}"
    )
    closed = 0
    engagements = Engagement.objects.filter(
        Q(mentor=user) | Q(mentee=user), program=program, status=EngagementStatus.ACTIVE
    ).order_by("pk")
    for engagement in engagements:
        if engagement.mentor_id == user.pk:
            notice = (
                f"{name} has left {program.name}, so your engagement with them is closed. "
                "Write your ask again and we will suggest other mentors."
            )
        else:
            notice = f"{name} has left {program.name}, so your engagement with them is closed."
        engagement_close(
            engagement=engagement,
            by=user,
            cancel=True,
            reason=f"{name} has left the program.",
            notice=notice,
            now=now,
        )
        closed += 1
    withdrawn = 0
    for pk in Ask.objects.filter(
        program=program, mentee=user, status__in=AskStatus.unmatched()
    ).values_list("pk", flat=True):
        ask = lock_ask(Ask(pk=pk))
        end_live_invitation(
            ask,
            InvitationStatus.WITHDRAWN,
            tell_mentor=f"{name} has left {program.name}: their ask is withdrawn.",
        )
        ask.status = AskStatus.WITHDRAWN
        ask.save(update_fields=["status", "updated_at"])
        withdrawn += 1
    return {
        "invitations_rerouted": rerouted,
        "engagements_closed": closed,
        "asks_closed": withdrawn,
    }


def mentor_departure(*, user: User, program: Program, now: datetime) -> dict[str, int]:
    """Settle what an offboarded mentor leaves in `program` as a mentor: the invitations
    waiting on them are withdrawn and each ask goes to the next suggested mentor (its
    mentee told); their engagements under way there as the mentor are cancelled, sessions
    ahead with them, each mentee told why. What they do as a mentee goes on. Returns the
    counts by kind."""
    name = user.display_name
    rerouted = invitations_withdraw_for_mentor(
        mentor=user, program=program, now=now, why=f"has stepped down as a mentor in {program.name}"
    )
    closed = 0
    for engagement in Engagement.objects.filter(
        mentor=user, program=program, status=EngagementStatus.ACTIVE
    ).order_by("pk"):
        engagement_close(
            engagement=engagement,
            by=user,
            cancel=True,
            reason=f"{name} has stepped down as a mentor.",
            notice=(
                f"{name} has stepped down as a mentor in {program.name}, so your engagement "
                "with them is closed. Write your ask again and we will suggest other mentors."
            ),
            now=now,
        )
        closed += 1
    return {"invitations_rerouted": rerouted, "engagements_closed": closed}
