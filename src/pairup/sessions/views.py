"""Pages for the slot picker, booking, sessions and the calendar feed.

Each view: access helper (404 for outsiders) → form → one service call → redirect or
render. Times are shown in the viewer's own zone (activated per request by middleware);
what is posted back is always the UTC instant of a slot.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks.models import Engagement
from pairup.asks.queries import get_engagement_for_user
from pairup.availability import queries as availability_queries
from pairup.core.errors import ServiceError

from . import calendar, idempotency, queries, rules, services
from .forms import RatingForm, SessionCancelForm, SlotForm
from .models import CalendarFeed, Session, SessionFeedback, SessionStatus

PICKER_DAYS = 14

# Refusals (409s) in the words a person can act on; unlisted codes keep the service's text.
REFUSALS = {
    "slot_taken": "Someone booked that time a moment ago. Please pick another time.",
    "outside_availability": "The mentor is no longer free at that time. Please pick another.",
    "no_availability": "This mentor has not set their availability yet. Ask them in the thread.",
    "engagement_closed": "This engagement is closed, so no more sessions can be booked.",
    "session_started": "This session has started already, so it can no longer be changed.",
    "not_booked": "This session is not booked any more, so it cannot be changed.",
    "not_ended": "You can record how it went once the session has ended.",
    "idempotency_key_reused": "This page was used to book already. Please pick a time again.",
}


def refusal(exc: ServiceError) -> str:
    return REFUSALS.get(exc.code, exc.detail)


# ---------------------------------------------------------------- the slot picker


def slot_picker_context(
    engagement: Engagement,
    *,
    viewer_key: str,
    action: str,
    moving: Session | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """Bookable times of the next two weeks at the agreed length, grouped by day in the
    viewer's zone: free for both people and within the mentor's caps (the same check as
    booking, `queries.bookable_slots`)."""
    now = now or timezone.now()
    availability = availability_queries.availability_of(engagement.mentor)
    if availability is None:
        return {"unavailable": True}
    found = queries.bookable_slots(
        engagement,
        now,
        now + timedelta(days=PICKER_DAYS),
        now,
        moving=moving.pk if moving else None,
    )
    days: dict[object, list[datetime]] = {}
    for start, _ in found:
        local = timezone.localtime(start)
        days.setdefault(local.date(), []).append(local)
    out = []
    for day, starts in days.items():
        # Half-hour steps are plenty to choose from; a zone off the half hour keeps all.
        shown = [t for t in starts if t.minute % 30 == 0] or starts
        out.append(
            {
                "date": day,
                "zone_abbr": shown[0].tzname(),
                "slots": [{"value": t.astimezone(UTC).isoformat(), "local": t} for t in shown],
            }
        )
    return {
        "unavailable": False,
        "duration": queries.agreed_minutes(engagement),
        "days": out,
        "zone": timezone.get_current_timezone_name(),
        "key": f"{viewer_key}-{uuid.uuid4().hex}",
        "action": action,
        "moving": moving,
        "mentor_zone": availability.timezone,
    }


def sessions_context(
    request: AuthenticatedHttpRequest, engagement: Engagement, *, now: datetime | None = None
) -> dict[str, object]:
    """The engagement page's sessions section: its sessions, each with the viewer's rating
    of it (`my_rating`, None when not rated) so a held one offers "Rate this session" or
    shows the rating given; and, for the mentee while sessions are left, the slot picker."""
    mine = SessionFeedback.objects.filter(session=OuterRef("pk"), author=request.user)
    sessions = list(
        engagement.sessions.annotate(my_rating=Subquery(mine.values("rating")[:1])).order_by(
            "start", "pk"
        )
    )
    left = queries.sessions_left(engagement)
    picker = None
    if left and rules.can_pick_slot(request.user, engagement):
        picker = slot_picker_context(
            engagement,
            viewer_key=f"book{engagement.pk}",
            action=reverse("session_book", args=[engagement.pk]),
            now=now,
        )
    return {"sessions": sessions, "sessions_left": left, "picker": picker}


@login_required
@require_GET
def slot_picker(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The picker alone (for htmx, to refresh the times shown)."""
    engagement = get_engagement_for_user(request.user, pk)
    context = sessions_context(request, engagement)
    if context["picker"] is None:
        raise Http404("Nothing to book here")
    return render(request, "sessions/_picker.html", {"engagement": engagement, **context})


@login_required
@require_POST
def session_book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_engagement_for_user(request.user, pk)
    form = SlotForm(request.POST)
    back = engagement.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Pick one of the times shown.")
        return redirect(back + "#sessions")
    data = form.cleaned_data
    duration = data["duration"] or queries.agreed_minutes(engagement)

    def book() -> tuple[int, dict[str, object]]:
        session = services.session_book(
            engagement=engagement, by=request.user, start=data["start"], duration=duration
        )
        return 201, {"id": session.pk}

    try:
        if data["key"]:
            # The key comes with each rendering of the picker, so a double click or a resent
            # form books once and lands on the same session.
            stored = idempotency.idempotency_key_use(
                user=request.user,
                key=data["key"],
                request_hash=idempotency.request_hash(
                    method="POST",
                    path=request.path,
                    body={"start": data["start"].astimezone(UTC).isoformat(), "duration": duration},
                ),
                perform=book,
            )
        else:
            stored = idempotency.StoredResponse(*book())
    except ServiceError as exc:
        messages.error(request, refusal(exc))
        return redirect(f"{back}#sessions")
    session = queries.get_session_for_user(request.user, stored.body["id"])
    if not stored.replayed:
        local = timezone.localtime(session.start)
        messages.success(
            request, f"Booked: {local:%A %-d %B, %H:%M} ({local.tzname()}). We emailed you both."
        )
    return redirect(session)


# ---------------------------------------------------------------- the session page


def _session_page(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    cancel_form: SessionCancelForm | None = None,
) -> HttpResponse:
    user = request.user
    engagement = session.engagement
    now = timezone.now()
    role = engagement.role_of(user)
    booked = session.status == SessionStatus.BOOKED
    can_move = booked and session.start > now
    picker = None
    if can_move and request.GET.get("move"):
        picker = slot_picker_context(
            engagement,
            viewer_key=f"move{session.pk}",
            action=reverse("session_action", args=[session.pk, "reschedule"]),
            moving=session,
            now=now,
        )
    changes = list(session.changes.select_related("by__profile"))
    context = {
        "session": session,
        "engagement": engagement,
        "role": role,
        "other": engagement.other(user),
        "changes": changes,
        "can_move": can_move,
        "ended": session.end <= now,
        "can_mark": booked and session.end <= now,
        "marks_held": rules.can_mark_outcome(user, session, "held"),
        "my_rating": SessionFeedback.objects.filter(session=session, author=user).first(),
        "picker": picker,
        "cancel_form": cancel_form or SessionCancelForm(),
        "ics_url": reverse("api:session_ics", args=[session.pk]),
        "ratings": range(1, 6),
    }
    return render(request, "sessions/session_detail.html", context)


@login_required
@require_GET
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, queries.get_session_for_user(request.user, pk))


OUTCOME_DONE = {
    "held": "Marked as held. Thank you!",
    "no_show_mentee": "Noted: the mentee did not come.",
    "no_show_mentor": "Noted: the mentor did not come. The program admins can see this.",
}


@login_required
@require_POST
def session_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    session = queries.get_session_for_user(request.user, pk)
    user = request.user
    try:
        if action == "reschedule":
            form = SlotForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Pick one of the times shown.")
                return redirect(session.get_absolute_url() + "?move=1#move")
            session = services.session_reschedule(
                session=session, by=user, start=form.cleaned_data["start"]
            )
            local = timezone.localtime(session.start)
            messages.success(request, f"Moved to {local:%A %-d %B, %H:%M} ({local.tzname()}).")
        elif action == "cancel":
            cancel_form = SessionCancelForm(request.POST)
            if not cancel_form.is_valid():
                return _session_page(request, session, cancel_form=cancel_form)
            session = services.session_cancel(
                session=session, by=user, reason=cancel_form.cleaned_data["reason"]
            )
            messages.success(
                request,
                "Cancelled."
                + (
                    " It was inside the mentor's notice period, so it is noted as late."
                    if session.late_cancel
                    else ""
                ),
            )
        elif action in services.OUTCOMES:
            services.session_outcome(session=session, by=user, outcome=action)
            messages.success(request, OUTCOME_DONE[action])
        elif action == "rate":
            rating_form = RatingForm(request.POST)
            if not rating_form.is_valid():
                messages.error(request, "Rate from 1 to 5.")
                return redirect(session)
            services.session_feedback_give(
                session=session, by=user, rating=rating_form.cleaned_data["rating"]
            )
            messages.success(request, "Thank you for rating this session.")
        else:
            raise Http404("No such action")
    except ServiceError as exc:
        messages.error(request, refusal(exc))
        if action == "reschedule":
            return redirect(session.get_absolute_url() + "?move=1#move")
    return redirect(session)


# ---------------------------------------------------------------- calendar feed


@login_required
@require_POST
def calendar_feed_rotate(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.calendar_feed_rotate(user=request.user)
    messages.success(
        request, "The old calendar address no longer works. Subscribe again with the new one."
    )
    back = (
        reverse("my_calendar")
        if request.POST.get("next") == reverse("my_calendar")
        else reverse("availability")
    )
    return redirect(back + "#feed")


@login_required
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's private feed address (mentees too), with revoke."""
    # The address itself comes from the `my_calendar_feed_url` tag in sessions/_feed.html.
    return render(request, "sessions/calendar.html")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed; the secret token in the address is the only key."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    sessions = queries.sessions_for_user(feed.user)
    response = HttpResponse(
        calendar.feed_ics(sessions, feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
