"""The organiser's summary of an event: attendance, meetings held, ratings, stay-in-touch
matches and follow-up asks (and how many became engagements); for conference buddies the
groups and their threads. Counts only: never who rated whom or who said yes to whom."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Avg, Count, Q

from pairup.asks.models import LIVE_INVITATION, Engagement, Invitation
from pairup.events.models import (
    Attendance,
    BuddyMessage,
    BuddyMessageKind,
    BuddyThread,
    ConversationRating,
    Event,
    EventFollowUp,
    EventKind,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
    StayInTouch,
)

from .met import held_seats


@dataclass(frozen=True)
class BuddyFigures:
    pairs: int
    trios: int
    unmatched: int
    threads: int
    messages: int
    thanks: int


@dataclass(frozen=True)
class EventSummary:
    registered: int
    waitlisted: int
    cancelled: int
    checked_in: int
    absent: int
    not_checked_in: int
    meetings_scheduled: int
    meetings_held: int
    people_met: int
    ratings: dict[int, int]
    ratings_count: int
    rating_average: float | None
    conversations_rated: int
    stay_in_touch_yes: int
    stay_in_touch_mutual: int
    follow_ups: int
    follow_ups_waiting: int
    follow_ups_engaged: int
    buddies: BuddyFigures | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratings"] = {str(k): v for k, v in self.ratings.items()}
        return out

    def chart_data(self) -> dict[str, Any]:
        """What the summary's charts draw (static/pairup/event_summary.js, through a
        json_script element): the ratings by stars, and what followed the meetings."""
        return {
            "ratings": {
                "labels": [f"{k} ★" for k in self.ratings],
                "values": list(self.ratings.values()),
            },
            "after": {
                "labels": [
                    "Meetings held",
                    "Conversations rated",
                    "Stay-in-touch matches",
                    "Follow-up asks",
                    "Became engagements",
                ],
                "values": [
                    self.meetings_held,
                    self.conversations_rated,
                    self.stay_in_touch_mutual,
                    self.follow_ups,
                    self.follow_ups_engaged,
                ],
            },
        }


def registration_counts() -> dict[str, Count]:
    """The registrations of an event by status and, of those registered, by attendance:
    what the summary and the program's insights count (`registered − checked_in − absent`
    is the people registered and not checked in)."""
    registered = Q(status=RegistrationStatus.REGISTERED)
    return {
        "registered": Count("pk", filter=registered),
        "waitlisted": Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        "cancelled": Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        "checked_in": Count("pk", filter=registered & Q(attendance=Attendance.PRESENT)),
        "absent": Count("pk", filter=registered & Q(attendance=Attendance.ABSENT)),
    }


def _buddy_figures(event: Event) -> BuddyFigures:
    schedule = event.schedules.filter(state=ScheduleState.PUBLISHED).first()
    figures = schedule.figures if schedule is not None else {}
    threads = BuddyThread.objects.filter(event=event, schedule=schedule)
    messages = BuddyMessage.objects.filter(thread__in=threads).aggregate(
        messages=Count("pk", filter=Q(kind=BuddyMessageKind.MESSAGE)),
        thanks=Count("pk", filter=Q(kind=BuddyMessageKind.THANKS)),
    )
    return BuddyFigures(
        pairs=int(figures.get("pairs", 0)),
        trios=int(figures.get("trios", 0)),
        unmatched=len(figures.get("unmatched", [])),
        threads=threads.count(),
        messages=messages["messages"],
        thanks=messages["thanks"],
    )


def event_summary(event: Event) -> EventSummary:
    """The summary's figures, in a fixed number of queries whatever the event's size."""
    people = Registration.objects.filter(event=event).aggregate(**registration_counts())
    held = held_seats(event)
    held_pairs = list(held.values_list("pk", "mentor_id", "mentee_id"))
    met = {m for _, m, _ in held_pairs} | {m for _, _, m in held_pairs}
    scheduled = Seat.objects.filter(
        schedule__event=event, schedule__state=ScheduleState.PUBLISHED
    ).count()
    distribution = dict.fromkeys(range(1, 6), 0)
    for rating, count in (
        ConversationRating.objects.filter(seat__in=held)
        .order_by()
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    ):
        distribution[rating] = count
    rated = ConversationRating.objects.filter(seat__in=held).aggregate(
        average=Avg("rating"), seats=Count("seat", distinct=True)
    )
    yeses = set(StayInTouch.objects.filter(event=event).values_list("person_id", "other_id"))
    mutual = sum(1 for a, b in yeses if (b, a) in yeses) // 2
    follow_ups = EventFollowUp.objects.filter(event=event)
    asks = follow_ups.values("ask_id")
    engaged = Engagement.objects.filter(ask__in=asks).count()
    waiting = (
        Invitation.objects.filter(ask__in=asks, status__in=LIVE_INVITATION)
        .values("ask_id")
        .distinct()
        .count()
    )
    average = rated["average"]
    return EventSummary(
        registered=people["registered"],
        waitlisted=people["waitlisted"],
        cancelled=people["cancelled"],
        checked_in=people["checked_in"],
        absent=people["absent"],
        not_checked_in=people["registered"] - people["checked_in"] - people["absent"],
        meetings_scheduled=scheduled,
        meetings_held=len(held_pairs),
        people_met=len(met),
        ratings=distribution,
        ratings_count=sum(distribution.values()),
        rating_average=round(float(average), 2) if average is not None else None,
        conversations_rated=rated["seats"],
        stay_in_touch_yes=len(yeses),
        stay_in_touch_mutual=mutual,
        follow_ups=follow_ups.count(),
        follow_ups_waiting=waiting,
        follow_ups_engaged=engaged,
        buddies=_buddy_figures(event) if event.kind == EventKind.CONFERENCE_BUDDIES else None,
    )
