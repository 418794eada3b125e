"""The pages after the event: the people a participant met (rate, stay in touch, follow
up) and the organiser's summary. Each view: access helper → form → one service call →
redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.programs.queries import membership_of
from pairup.programs.rules import can_write_ask

from . import rules
from .after import services
from .after.met import conversation_for
from .after.overview import MetItem, met_overview
from .after.summary import event_summary
from .buddies.queries import threads_of
from .forms_after import FollowUpForm, RatingForm
from .models import Event, EventKind
from .queries import event_access, get_event_for_organiser

RATING_WORDS = {
    1: "Not useful",
    2: "A little useful",
    3: "Useful",
    4: "Very useful",
    5: "Excellent",
}


def _met_url(event: Event, seat_id: int | None = None) -> str:
    url = reverse("event_met", args=[event.slug])
    return f"{url}#seat-{seat_id}" if seat_id else url


def _card(
    request: AuthenticatedHttpRequest, event: Event, seat_id: int, error: str = ""
) -> HttpResponse:
    item = next(
        (i for i in met_overview(event, request.user, timezone.now()) if i.seat_id == seat_id),
        None,
    )
    if item is None:
        raise Http404("No such conversation")
    return render(
        request,
        "events/_met_card.html",
        {"event": event, "item": item, "error": error, "rating_words": RATING_WORDS},
    )


@login_required
def event_met(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = event_access(request.user, slug)
    event = access.event
    items: list[MetItem] = met_overview(event, request.user, timezone.now())
    context: dict[str, Any] = {
        "event": event,
        "items": items,
        "organiser": access.organiser,
        "rating_words": RATING_WORDS,
        "buddy_threads": list(threads_of(event, request.user))
        if event.kind == EventKind.CONFERENCE_BUDDIES
        else [],
    }
    return render(request, "events/after_met.html", context)


@login_required
@require_POST
def event_rate(request: AuthenticatedHttpRequest, slug: str, seat_id: int) -> HttpResponse:
    event = event_access(request.user, slug).event
    form = RatingForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Rate the conversation from 1 to 5."
    else:
        try:
            services.conversation_rate(
                event=event, seat_id=seat_id, by=request.user, rating=form.cleaned_data["rating"]
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise Http404(exc.detail) from None
            error = exc.detail
    if request.htmx:
        return _card(request, event, seat_id, error)
    if error:
        messages.error(request, error)
    return redirect(_met_url(event, seat_id))


@login_required
@require_POST
def event_stay_in_touch(request: AuthenticatedHttpRequest, slug: str, seat_id: int) -> HttpResponse:
    event = event_access(request.user, slug).event
    error = ""
    try:
        services.stay_in_touch_set(
            event=event, seat_id=seat_id, by=request.user, yes=request.POST.get("yes") == "1"
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from None
        error = exc.detail
    if request.htmx:
        return _card(request, event, seat_id, error)
    if error:
        messages.error(request, error)
    return redirect(_met_url(event, seat_id))


@login_required
def event_follow_up(request: AuthenticatedHttpRequest, slug: str, seat_id: int) -> HttpResponse:
    """GET: the follow-up ask pre-filled, to edit. POST with `quick`: send it as pre-filled
    (the one click on the "people I met" page); POST of the form: send it as edited."""
    event = event_access(request.user, slug).event
    try:
        conversation = conversation_for(event, request.user, seat_id)
    except ServiceError:
        raise Http404("No such conversation") from None
    program = event.program
    form = FollowUpForm(
        request.POST if request.method == "POST" and "quick" not in request.POST else None,
        program=program,
        initial={
            "question": services.follow_up_question(event, conversation),
            "topics": services.follow_up_topics(event, conversation),
        },
    )
    if request.method == "POST":
        try:
            if "quick" in request.POST:
                follow_up = services.follow_up_create(event=event, seat_id=seat_id, by=request.user)
            elif form.is_valid():
                data = dict(form.cleaned_data)
                topics = data.pop("topics")
                question = data.pop("question")
                follow_up = services.follow_up_create(
                    event=event,
                    seat_id=seat_id,
                    by=request.user,
                    question=question,
                    topics=topics,
                    ask_fields=data,
                )
            else:
                follow_up = None
        except ServiceError as exc:
            if "quick" in request.POST:
                messages.error(request, exc.detail)
                return redirect(_met_url(event, seat_id))
            form.add_service_error(exc)
        else:
            if follow_up is not None:
                messages.success(
                    request,
                    f"Your follow-up ask is written and {conversation.other_user.display_name} "
                    "is invited: you will hear when they answer.",
                )
                return redirect(follow_up.ask)
    return render(
        request,
        "events/after_follow_up.html",
        {
            "event": event,
            "program": program,
            "conversation": conversation,
            "form": form,
            "write_refused": not can_write_ask(membership_of(request.user, program)),
        },
    )


@login_required
def event_summary_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_event_for_organiser(request.user, slug)
    if not rules.can_see_event_summary(access.organiser):
        raise Http404("No such event")
    summary = event_summary(access.event)
    chart = summary.chart_data()
    return render(
        request,
        "events/after_summary.html",
        {
            "event": access.event,
            "summary": summary,
            "chart": chart,
            "after_rows": list(
                zip(chart["after"]["labels"], chart["after"]["values"], strict=True)
            ),
            "rating_rows": [
                (stars, count, RATING_WORDS[stars]) for stars, count in summary.ratings.items()
            ],
        },
    )
