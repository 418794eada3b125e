"""A program's asks for its admins, and a mentor's profile in a program (their thanks, and a way to ask them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pairup.asks import queries
from pairup.asks.models import (
    Ask,
    AskStatus,
    Feedback,
    Report,
)
from pairup.programs import queries as program_queries
from pairup.programs.queries import get_admin_program_for_user, membership_of
from pairup.programs.rules import can_ask_mentor


@login_required
def program_asks(request: HttpRequest, slug: str) -> HttpResponse:
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
    for ask in asks:
        ask.rating = ratings.get(ask.pk)
    reports = list(
        Report.objects.filter(engagement__program=program)
        .select_related("reporter__profile", "reported__profile")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "asks/program_asks.html",
        {"program": program, "membership": membership, "asks": asks, "reports": reports},
    )


# A mentor's page in a program's directory: it lives with asks because it shows the thanks
# the mentor received and leads to writing an ask.
@login_required
def mentor_profile(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    program, mentor = program_queries.get_mentor_for_user(request.user, slug, user_id)
    profile = mentor.user.profile
    expertise = profile.expertise.select_related("topic")
    thanks = queries.public_thanks(mentor.user, program.pk)
    return render(
        request,
        "programs/mentor_profile.html",
        {
            "program": program,
            "mentor": mentor,
            "profile": profile,
            "expertise": expertise,
            "thanks": thanks,
            "can_ask": can_ask_mentor(membership_of(request.user, program), mentor),
        },
    )
