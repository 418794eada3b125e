"""The live room's pages: the big screen (/events/<slug>/live/), each participant's phone
(/live/me/), the organisers' controls with check-in at the door (/live/control/), and the
state document they all poll (/live/state.json, with ETag and 304).

Each view: access helper (404 for anyone who may not see the room) → form → one service
call → redirect with a message, or the page. The pages render the current state on the
server (they work without JavaScript); static/pairup/live.js counts down and polls.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate

from . import rules
from .live import live_control
from .live_checkin import (
    ensure_checkin_codes,
    registration_check_in,
    registration_mark_absent,
    registrations_mark_rest_absent,
    reseat_pending,
)
from .live_clock import ACTIONS
from .live_http import payload_response
from .live_reseat import live_reseat
from .live_state import live_now_of, live_payload, next_label, phase_label, published_schedule_id
from .models import Attendance, Event, Registration, RegistrationStatus
from .queries import event_access, get_event_for_organiser

PER_PAGE = 50
ATTENDANCE_FILTERS = {
    "": "Everyone",
    Attendance.UNKNOWN: "Not checked in",
    Attendance.PRESENT: "Checked in",
    Attendance.ABSENT: "Absent",
}


def state_response(request: HttpRequest, slug: str, view: str) -> HttpResponse:
    """The state document as an HTTP response: 200 with its ETag, or 304. Private (it
    names people) and always revalidated."""
    payload = live_payload(
        request.user,  # type: ignore[arg-type]
        slug,
        "me" if view == "me" else "room",
        request.headers.get("If-None-Match", ""),
    )
    return payload_response(payload)


@require_GET
def live_state(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /events/<slug>/live/state.json[?view=me]: 404 for anyone not signed in, not
    registered or not an organiser (the phone's script says so)."""
    return state_response(request, slug, request.GET.get("view", "room"))


def _room(request: AuthenticatedHttpRequest, slug: str, view: str) -> tuple[Event, bool, Any]:
    """The event, whether the viewer organises it, and the state document as a dict (with
    the countdown as the server sees it, for a page shown without JavaScript)."""
    now = timezone.now()
    payload = live_payload(request.user, slug, "me" if view == "me" else "room", now=now)
    access = event_access(request.user, slug)
    doc = json.loads(payload.body)
    doc["clock"] = _clock(doc, now)
    doc["etag"] = payload.etag
    return access.event, access.organiser, doc


def _clock(doc: dict[str, Any], now: datetime) -> str:
    """m:ss left of the phase (as live.js shows it), or ""."""
    if doc["paused_seconds_left"] is not None:
        seconds = int(doc["paused_seconds_left"])
    elif doc["ends_at"]:
        ends = datetime.fromisoformat(doc["ends_at"].replace("Z", "+00:00"))
        seconds = max(0, math.ceil((ends - now).total_seconds()))
    else:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@login_required
def live_room(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The big screen: the round, its countdown, every table, and what comes next."""
    event, organiser, doc = _room(request, slug, "room")
    return render(
        request,
        "events/live_room.html",
        {"event": event, "organiser": organiser, "doc": doc, "view": "room"},
    )


@login_required
def live_me(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A participant's phone: my table now, whom I meet, the countdown, and my next seat."""
    event, organiser, doc = _room(request, slug, "me")
    if doc["me"] is None:
        # An organiser who is not registered has no seat: the room is their view.
        return redirect("event_live_room", slug=slug)
    registration = get_object_or_404(Registration, pk=doc["me"]["registration_id"])
    return render(
        request,
        "events/live_me.html",
        {
            "event": event,
            "organiser": organiser,
            "doc": doc,
            "me": doc["me"],
            "registration": registration,
            "view": "me",
        },
    )


def _organiser_event(request: AuthenticatedHttpRequest, slug: str) -> Event:
    access = get_event_for_organiser(request.user, slug)
    if not rules.can_run_live_room(access.organiser, access.event):
        raise Http404("No such event")
    return access.event


@login_required
def live_control_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The organisers' panel: the controls, re-seating, and check-in at the door."""
    event = _organiser_event(request, slug)
    ensure_checkin_codes(event)
    state = live_now_of(event)
    schedule_id = published_schedule_id(event.pk)
    people = Registration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED
    ).select_related("user__profile")
    counts: dict[str, int] = {str(key): 0 for key in Attendance}
    for attendance in people.values_list("attendance", flat=True):
        counts[attendance] = counts.get(attendance, 0) + 1
    shown = request.GET.get("attendance", "")
    if shown not in ATTENDANCE_FILTERS:
        shown = ""
    query = request.GET.get("q", "").strip()[:80]
    listed = people.order_by("user__profile__display_name", "pk")
    if shown:
        listed = listed.filter(attendance=shown)
    if query:
        listed = listed.filter(
            Q(user__profile__display_name__icontains=query) | Q(checkin_code__iexact=query)
        )
    try:
        page = paginate(listed, request.GET.get("page"), PER_PAGE)
    except ServiceError:
        raise Http404("No such page") from None
    now = timezone.now()
    payload = live_payload(request.user, slug, "me", now=now)
    initial = json.loads(payload.body)
    context = {
        "event": event,
        "state": state,
        "initial": initial,
        "etag": payload.etag,
        "clock": _clock(initial, now),
        "has_schedule": schedule_id is not None,
        "pending": reseat_pending(event, schedule_id, state),
        "counts": counts,
        "total": sum(counts.values()),
        "page": page,
        "shown": shown,
        "query": query,
        "filters": ATTENDANCE_FILTERS.items(),
        "actions": _actions(event, state),
        "label": phase_label(state, event.state),
        "next_label": next_label(state, event.state),
    }
    return render(request, "events/live_control.html", context)


def _actions(event: Event, state: Any) -> dict[str, bool]:
    """Which controls fit the room's phase (the service refuses the others anyway)."""
    phase = state.phase
    running = phase in ("round", "break")
    ended = event.state == "ended"
    return {
        "start": phase == "waiting" and not ended,
        "pause": running and not ended,
        "resume": phase == "paused" and not ended,
        "next": phase in ("round", "break", "paused")
        and state.upcoming_round is not None
        and not ended,
        "end": phase != "waiting" and not ended,
    }


def _back(slug: str, request: HttpRequest) -> HttpResponse:
    url = reverse("event_live_control", args=[slug])
    keep = {k: request.POST.get(k, "") for k in ("q", "attendance", "page")}
    query = "&".join(f"{k}={v}" for k, v in keep.items() if v and v.replace(" ", "").isalnum())
    return redirect(f"{url}?{query}" if query else url)


DONE = {
    "start": "The event has started: round 1 is under way.",
    "pause": "Paused.",
    "resume": "Resumed.",
    "end": "The event has ended.",
}


@login_required
@require_POST
def live_action(request: AuthenticatedHttpRequest, slug: str, action: str) -> HttpResponse:
    """POST /live/control/<action>/: start, pause, resume, next (with the round the button
    showed), end, reseat."""
    event = _organiser_event(request, slug)
    if action == "reseat":
        return _reseat(request, event)
    if action not in ACTIONS:
        raise Http404("No such action")
    raw = request.POST.get("round", "")
    to_round = int(raw) - 1 if raw.isdigit() and int(raw) > 0 else None
    try:
        event = live_control(event=event, by=request.user, action=action, to_round=to_round)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        if action == "next":
            messages.success(request, f"Round {(event.live_round or 0) + 1} has started.")
        else:
            messages.success(request, DONE[action])
    return _back(slug, request)


def _reseat(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    try:
        result = live_reseat(event=event, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, result.summary)
    return _back(event.slug, request)


@login_required
@require_POST
def live_checkin(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Check in by the code the person shows at the door."""
    event = _organiser_event(request, slug)
    code = request.POST.get("code", "")
    try:
        done = registration_check_in(event=event, by=request.user, code=code)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        name = done.registration.user.display_name
        if done.already:
            messages.info(request, f"{name} was already checked in.")
        elif done.late:
            messages.success(request, f"{name} is checked in (late: re-seat to give them seats).")
        else:
            messages.success(request, f"{name} is checked in.")
    return _back(slug, request)


@login_required
@require_POST
def live_attendance(
    request: AuthenticatedHttpRequest, slug: str, registration_id: int, mark: str
) -> HttpResponse:
    """A tap in the organiser's list: present or absent."""
    event = _organiser_event(request, slug)
    registration = get_object_or_404(
        Registration.objects.select_related("user__profile"), event=event, pk=registration_id
    )
    try:
        if mark == "present":
            registration_check_in(event=event, by=request.user, registration=registration)
            messages.success(request, f"{registration.user.display_name} is checked in.")
        elif mark == "absent":
            registration_mark_absent(event=event, by=request.user, registration=registration)
            messages.success(request, f"{registration.user.display_name} is marked absent.")
        else:
            raise Http404("No such mark")
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return _back(slug, request)


@login_required
@require_POST
def live_rest_absent(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The door closes: everyone not checked in is absent."""
    event = _organiser_event(request, slug)
    try:
        count = registrations_mark_rest_absent(event=event, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{count} {'person' if count == 1 else 'people'} marked absent.")
    return _back(slug, request)
