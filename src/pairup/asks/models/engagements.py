"""Engagements: one mentee and one mentor working on an ask, their thread and resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse

from pairup.core import limits

from .asks import Ask

if TYPE_CHECKING:
    from pairup.accounts import models as accounts

User = settings.AUTH_USER_MODEL


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    # The mentor left or stepped down and the program's admins offered the ask to another
    # mentor: a new ask (`handover_ask`) carries it on, with its own thread.
    HANDED_OVER = "handed_over", "Handed over"

    @classmethod
    def ended_early(cls) -> list[EngagementStatus]:
        """Ended before it was done: cancelled, or handed over to another mentor."""
        return [cls.CANCELLED, cls.HANDED_OVER]


class Engagement(models.Model):
    """Created when a mentor accepts: the private space of one mentee and one mentor."""

    ask = models.OneToOneField(Ask, on_delete=models.CASCADE, related_name="engagement")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="engagements"
    )
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="engagements_as_mentee")
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="engagements_as_mentor")
    status = models.CharField(
        max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    sessions_agreed = models.PositiveSmallIntegerField(default=1)
    mentee_shares_contact = models.BooleanField(default=False)
    mentor_shares_contact = models.BooleanField(default=False)
    continue_proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the other person proposed continuing too: both want a longer relationship.
    continue_agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    # A hand-over (status handed_over): the mentor the ask was offered to, the new ask that
    # carries it on, what the new mentor is told of the engagement so far (facts, never the
    # thread, which stays the two people's), and the admins' own note for them.
    handed_over_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handover_ask = models.OneToOneField(
        Ask, null=True, blank=True, on_delete=models.SET_NULL, related_name="handed_over_from"
    )
    handover_context = models.TextField(max_length=1000, blank=True)
    handover_note = models.TextField(max_length=limits.HANDOVER_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
            # The insights' date ranges (engagements begun in the range, of one program).
            models.Index(fields=["program", "created_at"], name="engagement_program_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Engagement {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("engagement_detail", kwargs={"pk": self.pk})

    def role_of(self, user: object) -> str | None:
        user_id = getattr(user, "pk", None)
        if user_id == self.mentee_id:
            return "mentee"
        if user_id == self.mentor_id:
            return "mentor"
        return None

    def other(self, user: object) -> accounts.User:
        return self.mentor if getattr(user, "pk", None) == self.mentee_id else self.mentee

    @property
    def is_active(self) -> bool:
        return self.status == EngagementStatus.ACTIVE


class Message(models.Model):
    """One message of the private thread; only the two participants read it, unless one
    of them reports it (then the program's admins see that message)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        # Never the body: admin widgets and logs print this.
        return f"Message {self.pk}"


class Resource(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="resources")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
