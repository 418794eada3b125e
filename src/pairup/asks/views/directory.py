"""A program's mentor directory: search by words (ranked by the engine's relevance, as
suggestions are), topic, site and language; each card with the mentor's next free time and,
for a mentee with an open ask, a way to invite them to it. It lives with asks because its
search is the bridge to the engine (`matching.search`) and its cards lead to inviting."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.accounts.models import User
from pairup.asks import queries
from pairup.asks.forms import DirectoryFilterForm
from pairup.asks.matching.search import free_times, search_mentors
from pairup.asks.models import Ask
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.programs.models import Membership, Program
from pairup.programs.queries import get_program_for_user, program_sites
from pairup.programs.rules import can_write_ask


def invite_offer(
    user: User, program: Program, member: Membership | None
) -> tuple[list[Ask], list[Ask]]:
    """(`user`'s open asks in `program` a mentor may be invited to now, those waiting on an
    invited mentor's answer), given their `member`ship: what a card or a profile offers to
    a mentee."""
    if not can_write_ask(member):
        return [], []
    asks = queries.asks_to_invite_to(user, program)
    return (
        [a for a in asks if not a.live_invitations],  # type: ignore[attr-defined]
        [a for a in asks if a.live_invitations],  # type: ignore[attr-defined]
    )


@login_required
def mentor_directory(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = get_program_for_user(request.user, slug)
    form = DirectoryFilterForm(request.GET or None, sites=program_sites(program))
    filters = form.cleaned_data if form.is_valid() else {}
    q = filters.get("q", "")
    mentors = search_mentors(
        program,
        q,
        topic=filters.get("topic", ""),
        site=filters.get("site", ""),
        language=filters.get("language", ""),
        # A mentee sees only the mentors they may be paired with.
        mentee=request.user if can_write_ask(membership) else None,
    )
    try:
        page = paginate(mentors, request.GET.get("page"))
    except ServiceError:
        raise Http404("No such page") from None
    listed = list(page.object_list)
    times = free_times(program, request.user, [m.user_id for m in listed], timezone.now())
    invite_to, waiting = invite_offer(request.user, program, membership)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "membership": membership,
        "can_write_ask": can_write_ask(membership),
        "form": form,
        "q": q,
        "page": page,
        "cards": [(m, times.get(m.user_id)) for m in listed],
        "invite_to": invite_to,
        "waiting": waiting,
        "query": query.urlencode(),
    }
    template = "programs/_directory_results.html" if request.htmx else "programs/directory.html"
    return render(request, template, context)
