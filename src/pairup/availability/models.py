"""Availability: a person's weekly windows, date overrides, busy feed and caps, and the time
they have committed to (each booked or held session's interval, written by the sessions app
through `services.commitment_*`). Tables keep their names from the `scheduling` app that
first held these models."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pairup.core.validators import validate_timezone

User = settings.AUTH_USER_MODEL
LENGTHS = (15, 30, 45, 60)


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
        db_table = "scheduling_availability"
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
        db_table = "scheduling_weeklywindow"
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
        db_table = "scheduling_dateoverride"
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
        db_table = "scheduling_busytime"
        ordering = ["start"]
        indexes = [models.Index(fields=["availability", "start"])]

    def __str__(self) -> str:
        return f"busy {self.start}-{self.end}"


class CommitmentRole(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class Commitment(models.Model):
    """A person's committed time: one row per person per session, copying the session's
    time while it is booked (`booked` goes false when it is cancelled; a held or missed
    session stays booked). On PostgreSQL an exclusion constraint forbids two overlapping
    booked rows for one person, whatever their role (scheduling migration 0002).

    `session_id` and `engagement_id` name the session and the engagement it comes from as
    plain numbers, not foreign keys: the apps that own them sit above this one. The program
    is kept so a mentor's load can be counted per program (pairup.asks.load). Only
    `services.commitment_*` write these rows."""

    session_id = models.BigIntegerField(db_index=True)
    engagement_id = models.BigIntegerField(null=True, db_index=True)
    program = models.ForeignKey(
        "programs.Program", null=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="commitments")
    role = models.CharField(max_length=6, choices=CommitmentRole.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    booked = models.BooleanField(default=True)

    class Meta:
        db_table = "scheduling_sessionparticipant"
        constraints = [
            models.UniqueConstraint(fields=["session_id", "user"], name="participant_once")
        ]
        indexes = [models.Index(fields=["user", "booked", "start"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id}"
