"""The event's public side: its page (for anyone once published, with no personal data),
its .ics, registering (the program's members; through an event open to anyone with its
link, newcomers too, who sign up or in, then join the program as they register) and
cancelling one's registration."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.programs.models import MentorStatus
from pairup.programs.vetting.queries import answers_step

from . import rules
from .calendar import event_ics
from .models import Audience, EventKind, EventState, PlaceKind, RegistrationStatus
from .queries import EventAccess
from .queries_schedule import awaiting_seat
from .registrations import registration_cancel, registration_create
from .setup_forms import KIND_HELP, RegistrationForm
from .setup_queries import (
    event_topic_offer,
    places_left,
    public_event_access,
    registration_counts,
    registration_of,
    registration_window,
    waitlist_position,
)


def _public_context(request: HttpRequest, access: EventAccess) -> dict[str, Any]:
    event = access.event
    user = request.user
    mine = registration_of(event, user) if user.is_authenticated else None
    active = mine is not None and mine.status != RegistrationStatus.CANCELLED
    counts = registration_counts(event)
    return {
        "event": event,
        "access": access,
        "kind_help": KIND_HELP[EventKind(event.kind)],
        "topics": list(event_topic_offer(event)) if event.topics.exists() else [],
        "window": registration_window(event),
        "places_left": places_left(event, counts),
        "full": event.capacity is not None and counts.places_taken >= event.capacity,
        "mine": mine if active else None,
        "position": waitlist_position(mine) if active and mine is not None else None,
        "awaiting_seat": active and mine is not None and awaiting_seat(mine),
        "members_only": access.member is None and event.audience == Audience.MEMBERS,
        "can_register": rules.can_register(access.member, event),
        # The video link is for those registered (and the organisers), never the public.
        "show_video": event.place_kind == PlaceKind.ONLINE
        and (
            access.organiser or (mine is not None and mine.status == RegistrationStatus.REGISTERED)
        ),
        "share_url": request.build_absolute_uri(event.get_absolute_url()),
        "is_draft": event.state == EventState.DRAFT,
    }


@require_safe
def event_public(request: HttpRequest, slug: str) -> HttpResponse:
    access = public_event_access(request.user, slug)  # type: ignore[arg-type]
    return render(request, "events/event_public.html", _public_context(request, access))


@require_safe
def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    access = public_event_access(request.user, slug)  # type: ignore[arg-type]
    response = HttpResponse(event_ics(access.event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.event.slug}.ics"'
    return response


def _can_mentor(access: EventAccess) -> bool:
    return rules.can_register_as_mentor(access.member, access.event)


def _register_page(
    request: AuthenticatedHttpRequest,
    access: EventAccess,
    form: RegistrationForm | None,
    *,
    error: str = "",
    offer_waitlist: bool = False,
    status: int = 200,
) -> HttpResponse:
    event = access.event
    context = _public_context(request, access)
    context.update(
        form=form,
        error=error,
        offer_waitlist=offer_waitlist or context["full"],
        joining=access.member is None,
        pending_mentor=access.member is not None
        and access.member.is_mentor
        and access.member.mentor_status == MentorStatus.PENDING,
        vetting=event.program.mentors_need_approval,
        buddies=event.kind == EventKind.CONFERENCE_BUDDIES,
    )
    return render(request, "events/event_register.html", context, status=status)


def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register. Someone signed out is asked to sign up or in and comes back here (for an
    event open to anyone with its link; a members' event sends them to sign in)."""
    access = public_event_access(request.user, slug)  # type: ignore[arg-type]
    event = access.event
    if not request.user.is_authenticated:
        if event.audience == Audience.ANYONE_WITH_LINK and request.method == "GET":
            return render(request, "events/event_signup.html", _public_context(request, access))
        return redirect_to_login(request.get_full_path())
    request = cast(AuthenticatedHttpRequest, request)
    user = request.user
    if not rules.can_register(access.member, event):
        messages.info(request, f"{event.title} is for members of {event.program.name}.")
        return redirect(event)
    mine = registration_of(event, user)
    if mine is not None and mine.status != RegistrationStatus.CANCELLED:
        messages.info(request, "You are registered for this event already.")
        return redirect(event)
    window = registration_window(event)
    if not window.is_open:
        return _register_page(
            request, access, None, status=409 if request.method == "POST" else 200
        )
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        event=event,
        can_mentor=_can_mentor(access),
        needs_name=not user.profile.display_name,
        languages=list(user.profile.languages or []),
    )
    if request.method != "POST":
        return _register_page(request, access, form)
    if not form.is_valid():
        return _register_page(request, access, form, status=422)
    data = form.cleaned_data
    try:
        registration = registration_create(
            event=event,
            user=user,
            role=data["role"],
            topics=data["topics"],
            languages=data["languages"],
            want=data["want"],
            accessibility=data["accessibility"],
            waitlist=data["waitlist"],
            display_name=data.get("display_name", ""),
        )
    except ServiceError as exc:
        if exc.code == "event_full":
            # The last place went while the form was open: offer the waitlist.
            return _register_page(
                request, access, form, error=exc.detail, offer_waitlist=True, status=409
            )
        if exc.field in form.fields:
            form.add_service_error(exc)
            return _register_page(request, access, form, status=exc.status)
        return _register_page(request, access, form, error=exc.detail, status=exc.status)
    if registration.status == RegistrationStatus.WAITLISTED:
        messages.info(
            request,
            f"You are on the waitlist for {event.title}. When a place frees, you get it "
            "automatically and we email you.",
        )
    else:
        messages.success(request, f"You are registered for {event.title}. We emailed you.")
    membership = registration.event.program.memberships.filter(user=user).first()
    if membership is not None and access.member is None:
        messages.info(request, f"Welcome to {event.program.name}.")
    answers = answers_step(membership) if membership is not None else None
    if answers is not None:
        return redirect(answers)  # the program's questions for new mentors
    return redirect(event)


@require_POST
def event_unregister(request: HttpRequest, slug: str) -> HttpResponse:
    """Cancel one's own registration (or place on the waitlist)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = public_event_access(request.user, slug)
    mine = registration_of(access.event, request.user)
    if mine is None or mine.status == RegistrationStatus.CANCELLED:
        messages.info(request, "You are not registered for this event.")
        return redirect(access.event)
    try:
        registration_cancel(registration=mine, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Your registration is cancelled.")
    return redirect(access.event)
