"""Events: the event itself, its tables, who registered, and the schedules the engine made.

An event lives inside one program and obeys its pools and rules. Times are stored in UTC;
`timezone` is the zone the event is announced in (each viewer still sees their own).

The lifecycle: DRAFT (organisers only) -> PUBLISHED (the public page is up; registration
follows its window) -> LIVE (running: the live fields say which round) -> ENDED; or
CANCELLED from any state before ENDED.

A schedule is a set of `Seat`s. Speed mentoring: one seat per (round, mentor, mentee).
Roundtables: one seat per (round, table host, mentee). Conference buddies: round 0 only,
one seat per (mentor, mentee), so a trio is two seats with one mentor.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from pairup.core.validators import validate_languages, validate_multiline, validate_single_line
from pairup.programs.models import Program

EVENT_WANT_MAX_LENGTH = 200

# Check-in codes: letters and digits that cannot be mistaken for one another (no 0/O, 1/I).
CHECKIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 5


def new_checkin_code(taken: Collection[str]) -> str:
    """A random check-in code not in `taken` (the event's codes)."""
    while True:
        code = "".join(secrets.choice(CHECKIN_CODE_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))
        if code not in taken:
            return code


class EventKind(models.TextChoices):
    SPEED_MENTORING = "speed_mentoring", "Speed mentoring"
    ROUNDTABLES = "roundtables", "Roundtables"
    CONFERENCE_BUDDIES = "conference_buddies", "Conference buddies"


class EventState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class PlaceKind(models.TextChoices):
    ROOM = "room", "One room"
    TABLES = "tables", "Tables (in person)"
    ONLINE = "online", "Online (a video link per table)"


class Audience(models.TextChoices):
    MEMBERS = "members", "Program members"
    ANYONE_WITH_LINK = "link", "Anyone with the link (joins the program)"


class BuddyShare(models.TextChoices):
    ONE = "1", "One mentee per mentor"
    TWO = "2", "Two mentees per mentor"
    TWO_WHEN_SHORT = "auto", "Two only when mentors are short"


class LivePhase(models.TextChoices):
    WAITING = "waiting", "Not started"
    ROUND = "round", "Round under way"
    BREAK = "break", "Break"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Event(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="events")
    # Unique site-wide: the public page, the CLI and the API name an event by its slug.
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=120, validators=[validate_single_line])
    description = models.TextField(max_length=4000, blank=True, validators=[validate_multiline])
    state = models.CharField(max_length=10, choices=EventState.choices, default=EventState.DRAFT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC")
    place_kind = models.CharField(max_length=8, choices=PlaceKind.choices, default=PlaceKind.ROOM)
    place = models.CharField(
        max_length=200, blank=True, help_text="Room or address; blank for an online event"
    )
    video_url = models.URLField(
        blank=True, help_text="Online events: the link for everyone (tables may have their own)"
    )
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: open as soon as the event is published"
    )
    registration_closes_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places in all (mentors and mentees); blank: no limit"
    )
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="+")
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.MEMBERS)
    # Besides the program's admins, who may run this event.
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_events"
    )
    # Speed mentoring and roundtables.
    rounds = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    round_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(3), MaxValueValidator(120)]
    )
    break_minutes = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(60)])
    seats_per_mentor = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
        help_text="Mentees each mentor meets at once in a round (2 when mentors are short)",
    )
    # Roundtables.
    table_size = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Mentees at each table",
    )
    # Conference buddies.
    conference_starts_on = models.DateField(null=True, blank=True)
    conference_ends_on = models.DateField(null=True, blank=True)
    mentees_per_mentor = models.CharField(
        max_length=4, choices=BuddyShare.choices, default=BuddyShare.TWO_WHEN_SHORT
    )
    shortage_note = models.CharField(
        max_length=300,
        blank=True,
        default="Pairing depends on how many mentors sign up: when mentors are short, "
        "two mentees share one mentor.",
    )
    # The live room (speed mentoring and roundtables). `live_round` counts from 0.
    live_phase = models.CharField(
        max_length=8, choices=LivePhase.choices, default=LivePhase.WAITING
    )
    live_round = models.PositiveSmallIntegerField(null=True, blank=True)
    live_phase_ends_at = models.DateTimeField(null=True, blank=True)
    # While paused: the seconds that were left of the phase paused.
    live_paused_seconds = models.PositiveIntegerField(null=True, blank=True)
    live_version = models.PositiveIntegerField(default=0)
    # When the rounds to come were last re-seated (`live_reseat.live_reseat`): attendance
    # changed after it is what a new re-seat would act on (`live_checkin.reseat_pending`).
    live_reseated_at = models.DateTimeField(null=True, blank=True)
    # While paused: the phase that was paused (round or break); blank otherwise.
    live_paused_phase = models.CharField(
        max_length=8, choices=LivePhase.choices, blank=True, default=""
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["program", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("event_public", args=[self.slug])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The event ends after it starts."
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = "Registration closes after it opens."
        if self.kind == EventKind.CONFERENCE_BUDDIES:
            if not self.conference_starts_on:
                errors["conference_starts_on"] = "Give the conference's first day."
            if not self.conference_ends_on:
                errors["conference_ends_on"] = "Give the conference's last day."
            elif self.conference_starts_on and self.conference_ends_on < self.conference_starts_on:
                errors["conference_ends_on"] = "The conference ends on or after its first day."
        if errors:
            raise ValidationError(errors)


class EventTable(models.Model):
    """A place people meet at: a table in the room, or a video link online. Roundtables
    give each table a topic; speed mentoring seats one mentor at each table."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)
    topic = models.ForeignKey(
        "topics.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    video_url = models.URLField(blank=True)

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="event_table_number_unique")
        ]

    def __str__(self) -> str:
        return self.name or f"Table {self.number}"


class RegistrationRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"
    EITHER = "either", "Either"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", "Not checked in"
    PRESENT = "present", "Checked in"
    ABSENT = "absent", "Absent"


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    role = models.CharField(max_length=8, choices=RegistrationRole.choices)
    # The side a person who registered as "either" takes in the schedule (set when it is
    # made); for everyone else their role.
    seated_as = models.CharField(
        max_length=8, choices=RegistrationRole.choices, blank=True, default=""
    )
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="+")
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    want = models.CharField(
        "what I want from this",
        max_length=EVENT_WANT_MAX_LENGTH,
        blank=True,
        validators=[validate_single_line],
    )
    # Seen by the event's organisers only.
    accessibility = models.TextField(
        "accessibility needs", max_length=1000, blank=True, validators=[validate_multiline]
    )
    registered_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        max_length=8, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # When the person last moved between absent and here (not yet checked in, or present):
    # the change a re-seat acts on (`live_checkin.reseat_pending`).
    attendance_changed_at = models.DateTimeField(null=True, blank=True)
    # Shown on the person's agenda and phone, typed by an organiser at the door (any case).
    checkin_code = models.CharField(max_length=CHECKIN_CODE_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_event"),
            models.UniqueConstraint(
                fields=["event", "checkin_code"],
                condition=~models.Q(checkin_code=""),
                name="registration_checkin_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "registered_at"])]

    def __str__(self) -> str:
        return f"{self.user} at {self.event}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every registration has its check-in code, however it was made (rows made with
        # bulk_create get theirs from `live_checkin.ensure_checkin_codes`).
        if not self.checkin_code and self.event_id is not None:
            others = Registration.objects.filter(event_id=self.event_id)
            code = new_checkin_code(())
            while others.filter(checkin_code=code).exists():
                code = new_checkin_code(())
            self.checkin_code = code
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "checkin_code"}
        super().save(*args, **kwargs)

    @property
    def side(self) -> str:
        """mentor or mentee: the side taken in the schedule (an "either" not yet seated
        counts as a mentee)."""
        if self.seated_as:
            return self.seated_as
        return RegistrationRole.MENTOR if self.role == RegistrationRole.MENTOR else "mentee"


class ScheduleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class EventSchedule(models.Model):
    """One schedule of an event. At most one draft and one published at a time; publishing
    a draft supersedes the schedule published before."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedules")
    state = models.CharField(
        max_length=10, choices=ScheduleState.choices, default=ScheduleState.DRAFT
    )
    # The preview's figures: meetings, repeats, sitouts_min/max, mentor load, relevance
    # against the optimum, unmatched people with the reason ...
    figures = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(state="draft"),
                name="one_draft_schedule_per_event",
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(state="published"),
                name="one_published_schedule_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} schedule of {self.event}"


class Seat(models.Model):
    """One mentee with one mentor in one round (see the module docstring)."""

    schedule = models.ForeignKey(EventSchedule, on_delete=models.CASCADE, related_name="seats")
    round = models.PositiveSmallIntegerField()
    table = models.ForeignKey(
        EventTable, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    mentor = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="seats_as_mentor"
    )
    mentee = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="seats_as_mentee"
    )
    score = models.FloatField(default=0.0)
    # An organiser fixed this seat: re-solving keeps it.
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["schedule", "round", "mentor", "mentee"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "round", "mentee"], name="seat_one_place_per_round"
            ),
        ]
        indexes = [
            models.Index(fields=["schedule", "mentor", "round"]),
            # A person's agenda reads their seats as a mentee too.
            models.Index(fields=["schedule", "mentee"], name="seat_schedule_mentee"),
        ]

    def __str__(self) -> str:
        return f"round {self.round + 1}: {self.mentor} with {self.mentee}"


# ---------------------------------------------------------------------------------------
# After the event (h-evafter): ratings of conversations, "stay in touch", follow-up asks,
# and the conference buddies' shared threads.


class ConversationRating(models.Model):
    """One participant's one-tap rating of one conversation: a seat of the published
    schedule, rated 1–5 by its mentor or its mentee (each their own, changeable)."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["seat", "rater"]
        constraints = [
            models.UniqueConstraint(fields=["seat", "rater"], name="rating_once_per_seat_rater"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="conversation_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Rating {self.pk}"


class StayInTouch(models.Model):
    """`person` said yes to staying in touch with `other`, whom they met at `event`. Contact
    details go both ways only when both said yes (the two rows exist); until then neither
    sees anything of the other's contact, and a yes may be taken back."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stay_in_touch")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "other"], name="stay_in_touch_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other")), name="stay_in_touch_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.other_id} at event {self.event_id}"


class EventFollowUp(models.Model):
    """An ask a participant wrote after an event to someone they met there, invited to that
    person (it then runs as a normal engagement): which asks came from which event, for the
    organiser's summary and the program's insights."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="follow_ups")
    seat = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ask = models.OneToOneField("asks.Ask", on_delete=models.CASCADE, related_name="event_follow_up")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["event", "created_at", "id"]
        indexes = [models.Index(fields=["event", "asker", "invited"])]

    def __str__(self) -> str:
        return f"Follow-up {self.pk} of event {self.event_id}"


class BuddyThread(models.Model):
    """The shared thread of one buddy group of a conference (a mentor and their one or two
    mentees), open from publishing until the end of the conference's last day in the
    event's zone (`closes_at`); read-only after, with a thank-you prompt. `closed_at`: when
    the closing note and prompt went out (by `pairup close-buddy-threads` or the first
    visit after the end)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="buddy_threads")
    schedule = models.ForeignKey(
        EventSchedule, on_delete=models.CASCADE, related_name="buddy_threads"
    )
    mentor = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="buddy_threads")
    created_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "id"]
        indexes = [models.Index(fields=["closed_at", "closes_at"])]

    def __str__(self) -> str:
        return f"Buddy thread {self.pk} of event {self.event_id}"

    def get_absolute_url(self) -> str:
        return reverse("event_buddy_thread", args=[self.event.slug, self.pk])

    def is_open(self, now: datetime) -> bool:
        """Messages may be posted: not closed, and the conference not over."""
        return self.closed_at is None and now < self.closes_at


class BuddyMessageKind(models.TextChoices):
    MESSAGE = "message", "Message"
    INTRO = "intro", "Introduction"
    CLOSING = "closing", "Closing note"
    THANKS = "thanks", "Thank-you note"


class BuddyMessage(models.Model):
    """One message of a buddy thread; the introduction and closing note have no author.
    Only the thread's members read it."""

    thread = models.ForeignKey(BuddyThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(
        max_length=8, choices=BuddyMessageKind.choices, default=BuddyMessageKind.MESSAGE
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["thread", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "author"],
                condition=models.Q(kind="thanks"),
                name="buddy_thanks_once_per_member",
            ),
        ]

    def __str__(self) -> str:
        # Never the body: admin widgets and logs print this.
        return f"Buddy message {self.pk}"


class EventInvitation(models.Model):
    """An organiser invited this member to the event by email (one by one, or with a whole
    pool): kept so nobody is invited twice to one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["event", "sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="event_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.event}"
