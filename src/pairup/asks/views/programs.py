"""A program's asks for its admins, and a mentor's profile in a program (their thanks, and a way to ask them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks import queries
from pairup.asks.matching.eligibility import REFUSALS, pair_rules
from pairup.asks.models import (
    Ask,
    AskStatus,
    Feedback,
    Report,
)
from pairup.asks.views.directory import invite_offer
from pairup.programs import queries as program_queries
from pairup.programs.queries import get_admin_program_for_user, membership_of
from pairup.programs.rules import can_ask_mentor


@login_required
def program_asks(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """States and ratings of the program's asks; never messages."""
    program, membership = get_admin_program_for_user(request.user, slug)
    asks = list(
        Ask.objects.filter(program=program)
        .exclude(status=AskStatus.DRAFT)
        .select_related("mentee__profile", "engagement__mentor__profile")
        .prefetch_related("topics")
        .order_by("-created_at", "-pk")[:200]
    )
    ratings = dict(
        Feedback.objects.filter(
            engagement__program=program, role="mentee", rating__isnull=False
        ).values_list("engagement__ask_id", "rating")
    )
    # Each ask with the mentee's rating of its engagement (None: not rated, or no engagement).
    rows = [(ask, ratings.get(ask.pk)) for ask in asks]
    reports = list(
        Report.objects.filter(engagement__program=program)
        .select_related("reporter__profile", "reported__profile")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "asks/program_asks.html",
        {"program": program, "membership": membership, "rows": rows, "reports": reports},
    )


# A mentor's page in a program's directory: it lives with asks because it shows the thanks
# the mentor received and leads to writing an ask, or to inviting them to an open one.
@login_required
def mentor_profile(request: AuthenticatedHttpRequest, slug: str, user_id: int) -> HttpResponse:
    program, mentor = program_queries.get_mentor_for_user(request.user, slug, user_id)
    profile = mentor.user.profile
    expertise = profile.expertise.select_related("topic")
    thanks = queries.public_thanks(mentor.user, program.pk)
    viewer = membership_of(request.user, program)
    invite_to, waiting = invite_offer(request.user, program, viewer)
    # A mentee the program does not pair with this mentor (match rules, reporting line, a
    # block) is not offered to invite them: the invitation would be refused.
    unpaired = ""
    if invite_to or waiting:
        refusal = pair_rules(
            program, mentee_ids=[request.user.pk], mentor_ids=[mentor.user_id]
        ).refusal(request.user.pk, mentor.user_id)
        if refusal is not None:
            invite_to, waiting, unpaired = [], [], REFUSALS[refusal]
    return render(
        request,
        "programs/mentor_profile.html",
        {
            "program": program,
            "mentor": mentor,
            "profile": profile,
            "expertise": expertise,
            "thanks": thanks,
            "can_ask": can_ask_mentor(viewer, mentor),
            "invite_to": invite_to,
            "waiting": waiting,
            "unpaired": unpaired,
        },
    )
