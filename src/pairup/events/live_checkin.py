"""Check-in at the door: each registration has a short code (on the person's agenda and
phone) that an organiser types, or a tap in the organiser's list; people who do not come are
marked absent, and people who come late are checked in when they arrive.

Attendance does not move anyone by itself: the seats change when an organiser re-seats
(`live_reseat`), which takes the people marked absent out of the rounds to come and seats
the late arrivals in them. `reseat_pending` says whether that is due: whether the seats
differ from who is here and, once the room was re-seated, whether attendance changed since
(`Registration.attendance_changed_at`, `cancelled_at`, `registered_at`, `promoted_at` after
`Event.live_reseated_at`). A check-in changes nothing anyone else sees, so it does not bump
the room's version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, ServiceError

from .live_clock import LiveNow
from .models import (
    CHECKIN_CODE_LENGTH,
    Attendance,
    Event,
    EventSchedule,
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
    was_absent = registration.attendance == Attendance.ABSENT
    late = was_absent or event.live_round is not None
    if not already:
        registration.attendance = Attendance.PRESENT
        registration.checked_in_at = now
        fields = ["attendance", "checked_in_at"]
        if was_absent:  # back among the people a re-seat seats
            registration.attendance_changed_at = now
            fields.append("attendance_changed_at")
        registration.save(update_fields=fields)
    return CheckIn(registration, already, late and not already)


def registration_mark_absent(
    *, event: Event, by: User, registration: Registration, now: datetime | None = None
) -> Registration:
    """Mark a registered person absent: the next re-seat frees their seats in the rounds to
    come. Side effects: one row written."""
    now = now or timezone.now()
    if registration.event_id != event.pk:
        raise ServiceError("No such registration in this event.", code="not_found")
    if event.state in ("ended", "cancelled"):
        raise Conflict("The event is over.", code="event_over")
    if registration.status != RegistrationStatus.REGISTERED:
        raise Conflict("Only registered people can be marked absent.", code="not_registered")
    if registration.attendance == Attendance.ABSENT:
        return registration
    registration.attendance = Attendance.ABSENT
    registration.checked_in_at = None
    registration.attendance_changed_at = now
    registration.save(update_fields=["attendance", "checked_in_at", "attendance_changed_at"])
    return registration


def registrations_mark_rest_absent(*, event: Event, by: User, now: datetime | None = None) -> int:
    """Mark everyone registered and not checked in absent (the door closes); returns how
    many. Side effects: one UPDATE."""
    now = now or timezone.now()
    if event.state in ("ended", "cancelled"):
        raise Conflict("The event is over.", code="event_over")
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED, attendance=Attendance.UNKNOWN
    ).update(attendance=Attendance.ABSENT, attendance_changed_at=now)


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


@dataclass(frozen=True)
class Pending:
    """What a re-seat would change in the rounds from `first_round` on: people marked absent
    who still have seats there, people who cancelled and still have seats there, and people
    here (not absent) who have none; and, since the last re-seat (`reseated`), how many
    arrived late, were marked absent, cancelled or registered (were promoted)."""

    first_round: int | None
    absent_seated: int
    unseated_present: int
    cancelled_seated: int = 0
    reseated: bool = False
    arrived: int = 0
    marked_absent: int = 0
    cancelled: int = 0
    joined: int = 0

    @property
    def changed(self) -> int:
        """People whose attendance changed since the last re-seat."""
        return self.arrived + self.marked_absent + self.cancelled + self.joined

    @property
    def outstanding(self) -> bool:
        """Whether the seats of the rounds to come differ from who is here."""
        return (
            self.first_round is not None
            and (self.absent_seated + self.unseated_present + self.cancelled_seated) > 0
        )

    @property
    def due(self) -> bool:
        """Whether a re-seat could change anything: the seats differ from who is here and,
        if the room was re-seated, attendance changed since (a re-seat seats everyone it
        can: until someone comes or goes, another one would seat no one more)."""
        return self.outstanding and (not self.reseated or self.changed > 0)

    @property
    def changes(self) -> str:
        """What changed since the last re-seat, in words ("" if it never happened)."""
        if not self.reseated or not self.changed:
            return ""
        parts = [
            text
            for n, text in (
                (self.arrived, f"{_people(self.arrived)} arrived"),
                (self.marked_absent, f"{_people(self.marked_absent)} marked absent"),
                (self.cancelled, f"{_people(self.cancelled)} cancelled"),
                (self.joined, f"{_people(self.joined)} registered"),
            )
            if n
        ]
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"{listed} since the last re-seat."

    @property
    def settled(self) -> str:
        """Why no re-seat is urged though the seats differ from who is here ("" otherwise)."""
        if not self.outstanding or self.due or self.first_round is None:
            return ""
        if self.unseated_present:
            verb = "sits" if self.unseated_present == 1 else "sit"
            return (
                f"{_people(self.unseated_present)} {verb} out the rounds to come: every place "
                "is taken. The last re-seat seated everyone it could, and nobody has come or "
                "gone since."
            )
        return "The last re-seat seated everyone it could, and nobody has come or gone since."


def reseat_pending(event: Event, schedule_id: int | None, state: LiveNow) -> Pending:
    """Whether re-seating would change anything (five queries). The last re-seat counts
    only if it came after the schedule was published (a new schedule seats afresh)."""
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
    counts = {"arrived": 0, "marked_absent": 0, "cancelled": 0, "joined": 0}
    since = Event.objects.filter(pk=event.pk).values_list("live_reseated_at", flat=True).first()
    published = (
        EventSchedule.objects.filter(pk=schedule_id).values_list("published_at", flat=True).first()
    )
    if since is not None and published is not None and published > since:
        since = None
    if since is not None:
        counts = _changes_since(event, since)
    return Pending(
        first,
        len(absent & seated),
        len(here - seated),
        len(seated - absent - here),
        since is not None,
        **counts,
    )


def _changes_since(event: Event, since: datetime) -> dict[str, int]:
    """How many people of `event` arrived late (were absent), were marked absent, cancelled
    (not being absent), or registered (or were promoted from the waitlist) after `since`; each counted once, by
    what they are now."""
    counts = {"arrived": 0, "marked_absent": 0, "cancelled": 0, "joined": 0}
    rows = (
        Registration.objects.filter(event=event)
        .filter(
            Q(attendance_changed_at__gt=since)
            | Q(cancelled_at__gt=since)
            | Q(registered_at__gt=since)
            | Q(promoted_at__gt=since)
        )
        .values_list("status", "attendance", "attendance_changed_at", "cancelled_at")
    )
    for status, attendance, changed_at, cancelled_at in rows:
        if status == RegistrationStatus.CANCELLED:
            # Someone absent who cancels held no seat: nothing for a re-seat to free.
            if (
                cancelled_at is not None
                and cancelled_at > since
                and attendance != Attendance.ABSENT
            ):
                counts["cancelled"] += 1
        elif status != RegistrationStatus.REGISTERED:
            continue
        elif changed_at is not None and changed_at > since:
            counts["arrived" if attendance != Attendance.ABSENT else "marked_absent"] += 1
        elif attendance != Attendance.ABSENT:
            counts["joined"] += 1
    return counts
