"""Events in the program's insights: one row per event (registrations, attendance,
meetings held, ratings, follow-up asks), counted as the organiser's summary counts them
(`pairup.events.after.summary`, `pairup.events.after.met`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q

from pairup.events.after.met import held_seats_of
from pairup.events.after.summary import registration_counts
from pairup.events.models import ConversationRating, Event, EventFollowUp, EventState, Registration

from .scope import Scope
from .wrapup import rating_distribution

# Events that are not events yet (a draft, seen by organisers only) or will never be.
NOT_SHOWN = [EventState.DRAFT, EventState.CANCELLED]
COUNTS = ["registered", "waitlisted", "cancelled", "checked_in", "absent"]


def events(scope: Scope) -> list[dict[str, Any]]:
    """Per event of the program starting in the range (drafts and cancelled events left
    out), in order: its registrations by status and, of the people registered, those
    checked in, those marked absent (no-shows) and those not checked in; the meetings held
    (a seat of the published schedule whose round was played by now, both people still
    registered: the summary's definition, `held_seats_of`); the ratings of those meetings (distribution and mean, both
    sides' ratings); and the follow-up asks written after it, and how many became
    engagements. The filters choose people: their registrations, the meetings where either
    person is chosen, their ratings and their follow-up asks. Five queries (one when no
    event is in the range)."""
    shown = list(
        Event.objects.filter(
            program=scope.program, starts_at__gte=scope.start, starts_at__lt=scope.end
        )
        .exclude(state__in=NOT_SHOWN)
        .order_by("starts_at", "pk")
    )
    if not shown:
        return []
    ids = [e.pk for e in shown]
    people = {
        r["event_id"]: r
        for r in Registration.objects.filter(event_id__in=ids)
        .filter(scope.person_q("user_id"))
        .values("event_id")
        .annotate(**registration_counts())
        .order_by()
    }
    held = held_seats_of(shown, scope.now)
    meetings = dict(
        held.filter(scope.person_q("mentor__user_id", "mentee__user_id"))
        .values("schedule__event_id")
        .annotate(n=Count("pk"))
        .values_list("schedule__event_id", "n")
        .order_by()
    )
    ratings: dict[int, Counter[int]] = {pk: Counter() for pk in ids}
    for event_id, rating, n in (
        ConversationRating.objects.filter(seat__in=held.values("pk"))
        .filter(scope.person_q("rater_id"))
        .values("seat__schedule__event_id", "rating")
        .annotate(n=Count("pk"))
        .values_list("seat__schedule__event_id", "rating", "n")
        .order_by()
    ):
        ratings[event_id][rating] += n
    follow_ups = {
        r["event_id"]: r
        for r in EventFollowUp.objects.filter(event_id__in=ids)
        .filter(scope.person_q("asker_id"))
        .values("event_id")
        .annotate(asks=Count("pk"), engaged=Count("pk", filter=Q(ask__engagement__isnull=False)))
        .order_by()
    }
    rows = []
    for e in shown:
        counts = {k: people.get(e.pk, {}).get(k, 0) for k in COUNTS}
        asks = follow_ups.get(e.pk, {})
        rows.append(
            {
                "event": e.slug,
                "title": e.title,
                "kind": e.kind,
                "state": e.state,
                "starts_at": e.starts_at.isoformat(),
                **counts,
                "not_checked_in": counts["registered"] - counts["checked_in"] - counts["absent"],
                "meetings_held": meetings.get(e.pk, 0),
                "ratings": rating_distribution(dict(ratings[e.pk])),
                "follow_ups": asks.get("asks", 0),
                "follow_ups_engaged": asks.get("engaged", 0),
            }
        )
    return rows
