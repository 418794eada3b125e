"""The home page: what is waiting on the signed-in person, across every app."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from pairup.asks.models import LIVE_INVITATION, EngagementStatus, Invitation, InvitationStatus
from pairup.asks.queries import engagements_for_user
from pairup.core.humanize import human_duration, shorten, time_left
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.rules import can_admin_program, can_write_ask, needs_onboarding

from .welcome import next_step_url


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file, in development (SERVE_MEDIA): Django's static file view, reading
    MEDIA_ROOT on each request. Production lets the reverse proxy serve MEDIA_ROOT."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "site/landing.html")
    profile = request.user.profile
    if profile.welcomed_at is None:
        # Someone new who has not finished the first-run guide picks it up where they left.
        return redirect(next_step_url(profile))
    memberships = list(Membership.objects.filter(user=request.user).select_related("program"))
    steps: list[tuple[str, str, str | None]] = []
    if not profile.is_complete:
        steps.append(
            (
                "Complete your profile",
                "Add your name and a headline so people know who you are.",
                "/profile/",
            )
        )
    if not memberships:
        steps.append(
            (
                "Join a program",
                "Join one that is open to everyone, or enter the invite code your program "
                "admin sent you.",
                "/programs/",
            )
        )
    # The most urgent first: a mentor's question holds their answer until the mentee replies.
    for i in (
        Invitation.objects.filter(ask__mentee=request.user, status=InvitationStatus.AWAITING_MENTEE)
        .select_related("ask", "mentor__profile")
        .order_by("pk")
    ):
        steps.append(
            (
                f"Answer {i.mentor.display_name}'s question",
                f"About “{shorten(i.ask.question, 100)}”: they answer your ask once you reply.",
                i.ask.get_absolute_url(),
            )
        )
    invitations = list(
        Invitation.objects.filter(mentor=request.user, status__in=LIVE_INVITATION)
        .select_related("ask__mentee__profile")
        .order_by("expires_at", "pk")
    )
    for i in invitations:
        if i.expires_at:
            left = f"{time_left(i.expires_at)} left to respond"
        else:
            left = "clock paused" + (
                f" with {human_duration(i.remaining)} left" if i.remaining else ""
            )
        steps.append(
            (
                f"Answer {i.ask.mentee.display_name}'s invitation",
                f"“{shorten(i.ask.question, 100)}” · {left}",
                i.get_absolute_url(),
            )
        )
    active = list(engagements_for_user(request.user).filter(status=EngagementStatus.ACTIVE))
    others = [e.mentor if e.mentee_id == request.user.pk else e.mentee for e in active]
    names = Counter(o.pk for o in others)
    for e, other in zip(active, others, strict=True):
        # Two engagements with the same person are told apart by their asks.
        about = f" on “{shorten(e.ask.question, 50)}”" if names[other.pk] > 1 else ""
        steps.append(
            (
                f"Continue with {other.display_name}{about}",
                f"“{shorten(e.ask.question, 100)}”: messages, resources and wrap-up.",
                e.get_absolute_url(),
            )
        )
    for m in memberships:
        if can_write_ask(m):
            steps.append(
                (
                    f"Write an ask in {m.program}",
                    "One precise question; we suggest the best mentors for it, with reasons.",
                    f"/p/{m.program.slug}/asks/new/",
                )
            )
            steps.append(
                (
                    f"Find a mentor in {m.program}",
                    "Search mentors by topic, site and language.",
                    f"/p/{m.program.slug}/mentors/",
                )
            )
        if m.is_mentor and m.mentor_status == MentorStatus.PENDING:
            steps.append(
                (
                    f"Wait for approval in {m.program}",
                    "An admin checks new mentors before they appear: your answers, and any "
                    "question they ask you, are on your application.",
                    reverse("mentor_application", args=[m.program.slug]),
                )
            )
        if needs_onboarding(m):
            steps.append(
                (
                    f"Read {m.program}'s mentor onboarding",
                    "You are approved as a mentor: you are offered asks once you have read it.",
                    reverse("mentor_onboarding", args=[m.program.slug]),
                )
            )
        if can_admin_program(m):
            steps.append(
                (
                    f"Run {m.program}",
                    "Approve mentors and share the invite link.",
                    f"/p/{m.program.slug}/members/",
                )
            )
    if any(m.is_approved_mentor for m in memberships) and not profile.expertise.exists():
        steps.append(("Add topics you can help with", "Mentees find you by topic.", "/profile/"))
    return render(request, "site/home.html", {"steps": steps, "memberships": memberships})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page's <link rel="icon"> says (and for pages
    with no <head> of ours: the API docs, a file): send them to the SVG. A temporary
    redirect, cached for a day, since the static file's hashed name changes with its content."""
    response = redirect(static("pairup/favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
