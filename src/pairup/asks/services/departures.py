"""A member taken out of a program by its admins: what they leave behind there is settled in
the same transaction (`programs.services.member_removed`)."""

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
    engagements under way there are cancelled, sessions ahead with them, the other person
    told why (a mentee is told to ask again: a new ask gets new suggestions, and an
    engagement's thread and sessions belong to the two people who had it, so it is not
    handed to someone else); their own open asks there are withdrawn, an invited mentor
    told. Returns the counts by kind."""
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
