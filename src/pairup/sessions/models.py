"""Sessions: one meeting of an engagement, its history, ratings, reminders, idempotency keys
and calendar feeds. Tables keep their names from the `scheduling` app that first held these
models."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

User = settings.AUTH_USER_MODEL


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


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
        db_table = "scheduling_session"
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_ends_after_start")
        ]
        indexes = [
            models.Index(fields=["status", "start"]),
            # The insights' date ranges (sessions starting in the range, any status).
            models.Index(fields=["start"], name="session_start_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("session_detail", kwargs={"pk": self.pk})

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


CHANGE_LABELS = {
    "booked": "Booked",
    "rescheduled": "Moved",
    "cancelled": "Cancelled",
    "held": "Marked held",
    "no_show_mentee": "Mentee did not come",
    "no_show_mentor": "Mentor did not come",
}


class SessionChange(models.Model):
    """The history of a session: booked, moved, cancelled, outcome."""

    # The kinds that set the session's time.
    PLACING = ("booked", "rescheduled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    old_start = models.DateTimeField(null=True, blank=True)
    new_start = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        db_table = "scheduling_sessionchange"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.session_id}"

    @property
    def label(self) -> str:
        """What the session page's history says of this change."""
        return CHANGE_LABELS.get(self.kind, self.kind)


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
        db_table = "scheduling_sessionfeedback"
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
        db_table = "scheduling_idempotencykey"
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
        db_table = "scheduling_reminder"
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

    class Meta:
        db_table = "scheduling_calendarfeed"

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
