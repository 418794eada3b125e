from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from pairup.core.validators import validate_timezone

User = settings.AUTH_USER_MODEL
LENGTHS = (15, 30, 45, 60)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Availability(models.Model):
    """A mentor's bookable time, as wall-clock windows in their own IANA zone."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="availability")
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    session_lengths = models.JSONField(
        default=list, blank=True, help_text="Minutes offered; empty = the program's"
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(120)]
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=12 * 60, validators=[MaxValueValidator(14 * 24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    weekly_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Sessions a week at most"
    )
    monthly_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Sessions a month at most"
    )
    busy_feed_url = models.URLField(
        max_length=500, blank=True, help_text="Your own calendar's private ICS address"
    )
    busy_feed_fetched_at = models.DateTimeField(null=True, blank=True)
    busy_feed_error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"

    def __str__(self) -> str:
        return f"Availability of {self.user_id}"


class WeeklyWindow(models.Model):
    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="weekly")
    weekday = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(6)], help_text="0 = Monday"
    )
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_weekday_0_6")
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}-{self.end}"


class DateOverride(models.Model):
    """Replaces one local date's weekly windows; a row without times is a day off."""

    availability = models.ForeignKey(
        Availability, on_delete=models.CASCADE, related_name="overrides"
    )
    date = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start"]

    def __str__(self) -> str:
        return f"{self.date} {self.start}-{self.end}"


class BusyTime(models.Model):
    """Busy intervals read from the mentor's own calendar feed (UTC)."""

    availability = models.ForeignKey(
        Availability, on_delete=models.CASCADE, related_name="busy_times"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["availability", "start"])]

    def __str__(self) -> str:
        return f"busy {self.start}-{self.end}"


class SessionStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"
    NO_SHOW_MENTEE = "no_show_mentee", "Mentee did not come"
    NO_SHOW_MENTOR = "no_show_mentor", "Mentor did not come"


class Session(models.Model):
    """One meeting of an engagement. A reschedule moves the same session (its history is
    kept in SessionChange) and bumps `sequence` so calendars update the same event."""

    engagement = models.ForeignKey(
        "asks.Engagement", on_delete=models.CASCADE, related_name="sessions"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.BOOKED
    )
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    video_url = models.URLField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    booked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late_cancel = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_ends_after_start")
        ]
        indexes = [models.Index(fields=["status", "start"])]

    def __str__(self) -> str:
        return f"Session {self.pk} {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("session_detail", kwargs={"pk": self.pk})

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class SessionParticipant(models.Model):
    """One row per person per session, copying the session's time while it is booked. On
    PostgreSQL an exclusion constraint forbids two overlapping booked rows for one person,
    whatever their role (migration 0002, PostgreSQL only)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_seats")
    role = models.CharField(max_length=6, choices=[("mentee", "Mentee"), ("mentor", "Mentor")])
    start = models.DateTimeField()
    end = models.DateTimeField()
    booked = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="participant_once")]
        indexes = [models.Index(fields=["user", "booked", "start"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id}"


class SessionChange(models.Model):
    """The history of a session: booked, moved, cancelled, outcome."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    old_start = models.DateTimeField(null=True, blank=True)
    new_start = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.session_id}"


class SessionFeedback(models.Model):
    """The one-tap rating right after a held session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="session_feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="session_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} for {self.session_id}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key, per user: the request it came with (as a hash) and the
    response it got, so a retry of that request gets the same response instead of doing the
    work twice (see idempotency.py). Rows older than KEY_TTL are forgotten."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of method, path and canonical body"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return self.key


class Reminder(models.Model):
    """A reminder that went out: each (session, kind, start) at most once."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10)  # 24h, 1h, feedback
    for_start = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "kind", "for_start"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.session_id}"


class CalendarFeed(models.Model):
    """A person's private calendar feed address (secret token; revocable by replacing)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
