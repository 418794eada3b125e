"""Check-in at the door: each registration has a short code (on the person's agenda and
phone) that an organiser types, or a tap in the organiser's list; people who do not come are
marked absent, and people who come late are checked in when they arrive.

Attendance does not move anyone by itself: the seats change when an organiser re-seats
(`live_reseat`), which takes the people marked absent out of the rounds to come and seats
the late arrivals in them. `reseat_pending` says whether that is due. A check-in changes
nothing anyone else sees, so it does not bump the room's version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, ServiceError

from .live_clock import LiveNow
from .models import (
    CHECKIN_CODE_LENGTH,
    Attendance,
    Event,
    Registration,
    RegistrationStatus,
    Seat,
    new_checkin_code,
)


def ensure_checkin_codes(event: Event) -> int:
    """Give a code to each registration of `event` that has none (rows made in bulk skip
    `Registration.save`); returns how many were given."""
    missing = list(Registration.objects.filter(event=event, checkin_code="").only("pk"))
    if not missing:
        return 0
    with transaction.atomic():
        taken = set(
            Registration.objects.filter(event=event)
            .exclude(checkin_code="")
            .values_list("checkin_code", flat=True)
        )
        for reg in missing:
            reg.checkin_code = new_checkin_code(taken)
            taken.add(reg.checkin_code)
        Registration.objects.bulk_update(missing, ["checkin_code"])
    return len(missing)


def normalise_code(raw: str) -> str:
    """What an organiser typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def _registration_by_code(event: Event, code: str) -> Registration:
    wanted = normalise_code(code)
    if not wanted:
        raise ServiceError("Type the person's check-in code.", code="required", field="code")
    if len(wanted) != CHECKIN_CODE_LENGTH:
        raise ServiceError(
            f"A check-in code has {CHECKIN_CODE_LENGTH} letters and digits.",
            code="bad_code",
            field="code",
        )
    found = (
        Registration.objects.select_related("user__profile")
        .filter(event=event, checkin_code=wanted)
        .first()
    )
    if found is None:
        raise ServiceError(
            f"No one registered for this event has the code {wanted}.",
            code="unknown_code",
            field="code",
        )
    return found


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    # Already checked in before this call (a second scan of the same code).
    already: bool
    # Checked in after the first round started (or after being marked absent).
    late: bool


def registration_check_in(
    *,
    event: Event,
    by: User,
    code: str | None = None,
    registration: Registration | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Mark a person present, named by their check-in `code` (any case, spaces and dashes
    ignored) or by their `registration` (a tap in the list). Someone marked absent who turns
    up is a late arrival: present again, seated by the next re-seat.

    Refused (422, field `code`) for an unknown code; (409) for a cancelled or waitlisted
    registration, or an event that has ended. Side effects: one row written."""
    now = now or timezone.now()
    if registration is None:
        registration = _registration_by_code(event, code or "")
    elif registration.event_id != event.pk:
        raise ServiceError("No such registration in this event.", code="not_found")
    if event.state in ("ended", "cancelled"):
        raise Conflict("The event is over: check-in is closed.", code="event_over")
    if registration.status != RegistrationStatus.REGISTERED:
        raise Conflict(
            f"{registration.user.display_name} is {registration.get_status_display().lower()}, "
            "not registered: there is no seat for them.",
            code="not_registered",
        )
    already = registration.attendance == Attendance.PRESENT
    late = registration.attendance == Attendance.ABSENT or event.live_round is not None
    if not already:
        registration.attendance = Attendance.PRESENT
        registration.checked_in_at = now
        registration.save(update_fields=["attendance", "checked_in_at"])
    return CheckIn(registration, already, late and not already)


def registration_mark_absent(*, event: Event, by: User, registration: Registration) -> Registration:
    """Mark a registered person absent: the next re-seat frees their seats in the rounds to
    come. Side effects: one row written."""
    if registration.event_id != event.pk:
        raise ServiceError("No such registration in this event.", code="not_found")
    if event.state in ("ended", "cancelled"):
        raise Conflict("The event is over.", code="event_over")
    if registration.status != RegistrationStatus.REGISTERED:
        raise Conflict("Only registered people can be marked absent.", code="not_registered")
    registration.attendance = Attendance.ABSENT
    registration.checked_in_at = None
    registration.save(update_fields=["attendance", "checked_in_at"])
    return registration


def registrations_mark_rest_absent(*, event: Event, by: User) -> int:
    """Mark everyone registered and not checked in absent (the door closes); returns how
    many. Side effects: one UPDATE."""
    if event.state in ("ended", "cancelled"):
        raise Conflict("The event is over.", code="event_over")
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED, attendance=Attendance.UNKNOWN
    ).update(attendance=Attendance.ABSENT)


@dataclass(frozen=True)
class Pending:
    """What a re-seat would change in the rounds from `first_round` on: people marked absent
    who still have seats there, and people here (not absent) who have none."""

    first_round: int | None
    absent_seated: int
    unseated_present: int

    @property
    def due(self) -> bool:
        return self.first_round is not None and (self.absent_seated + self.unseated_present) > 0


def reseat_pending(event: Event, schedule_id: int | None, state: LiveNow) -> Pending:
    """Whether re-seating would change anything (three queries)."""
    first = state.upcoming_round
    if schedule_id is None or first is None:
        return Pending(None, 0, 0)
    seated: set[int] = set()
    for mentor, mentee in Seat.objects.filter(
        schedule_id=schedule_id, round__gte=first
    ).values_list("mentor_id", "mentee_id"):
        seated.add(mentor)
        seated.add(mentee)
    people = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
    absent = set(people.filter(attendance=Attendance.ABSENT).values_list("pk", flat=True))
    here = set(people.exclude(attendance=Attendance.ABSENT).values_list("pk", flat=True))
    return Pending(first, len(absent & seated), len(here - seated))
