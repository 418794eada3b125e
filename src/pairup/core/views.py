from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pairup.programs.models import Membership


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    profile = request.user.profile
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
            ("Join a program", "Ask your program admin for an invite link, then open it.", None)
        )
    for m in memberships:
        if m.is_mentee:
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
        if m.is_mentor and m.is_approved_mentor and not profile.expertise.exists():
            steps.append(
                ("Add topics you can help with", "Mentees find you by topic.", "/profile/")
            )
        if m.is_admin:
            steps.append(
                (
                    f"Run {m.program}",
                    "Approve mentors and share the invite link.",
                    f"/p/{m.program.slug}/members/",
                )
            )
    return render(request, "core/home.html", {"steps": steps, "memberships": memberships})
