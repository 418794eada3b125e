"""The home page: what is waiting on the signed-in person, across every app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timesince import timeuntil
from django.views.static import serve

from pairup.asks.models import LIVE_INVITATION, EngagementStatus, Invitation
from pairup.asks.queries import engagements_for_user
from pairup.programs.models import Membership

from .welcome import next_step_url


def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file, in development (SERVE_MEDIA): Django's static file view, reading
    MEDIA_ROOT on each request. Production lets the reverse proxy serve MEDIA_ROOT."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "site/landing.html")
    profile = request.user.profile
    if profile.welcomed_at is None:
        # Someone new who has not finished the first-run guide picks it up where they left.
        return redirect(next_step_url(profile))
    memberships = list(Membership.objects.filter(user=request.user).select_related("program"))
    steps = []
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
    invitations = list(
        Invitation.objects.filter(mentor=request.user, status__in=LIVE_INVITATION)
        .select_related("ask__mentee__profile")
        .order_by("expires_at", "pk")
    )
    for i in invitations:
        left = f"{timeuntil(i.expires_at)} left to respond" if i.expires_at else "clock paused"
        steps.append(
            (
                f"Answer {i.ask.mentee.display_name}'s invitation",
                f"“{i.ask.question[:100]}” · {left}",
                i.get_absolute_url(),
            )
        )
    for e in engagements_for_user(request.user).filter(status=EngagementStatus.ACTIVE):
        other = e.mentor if e.mentee_id == request.user.pk else e.mentee
        steps.append(
            (
                f"Continue with {other.display_name}",
                f"“{e.ask.question[:100]}”: messages, resources and wrap-up.",
                e.get_absolute_url(),
            )
        )
    for m in memberships:
        if m.is_mentee:
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
        if m.is_mentor and not m.is_approved_mentor:
            steps.append(
                (
                    f"Wait for approval in {m.program}",
                    "An admin checks new mentors before they appear.",
                    None,
                )
            )
        if m.is_admin:
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
