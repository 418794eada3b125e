"""The mentee's and the mentor's dashboards, the open board and the code of conduct."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pairup.asks import queries
from pairup.asks.matching.eligibility import eligibility_for_asks
from pairup.programs.models import Membership
from pairup.programs.rules import can_write_ask


@login_required
def mentee_dashboard(request: HttpRequest) -> HttpResponse:
    context = queries.mentee_dashboard(request.user)
    context["programs"] = [
        m.program
        for m in Membership.objects.filter(user=request.user).select_related("program")
        if can_write_ask(m)
    ]
    return render(request, "asks/mentee_dashboard.html", context)


@login_required
def mentor_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "asks/mentor_dashboard.html", queries.mentor_dashboard(request.user))


@login_required
def board(request: HttpRequest) -> HttpResponse:
    asks = list(queries.board_asks(request.user))
    verdicts = eligibility_for_asks(request.user, asks, timezone.now())
    rows = [(ask, verdicts[ask.pk]) for ask in asks]
    return render(request, "asks/board.html", {"rows": rows})


def code_of_conduct(request: HttpRequest) -> HttpResponse:
    return render(request, "asks/conduct.html")
