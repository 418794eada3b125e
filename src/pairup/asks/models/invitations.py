"""Invitations: an ask offered to one mentor, and the clarifying questions before an answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .asks import Ask

User = settings.AUTH_USER_MODEL


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the mentor"
    AWAITING_MENTEE = "awaiting_mentee", "Waiting for your answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def live(cls) -> list[InvitationStatus]:
        """Waiting on someone: the mentor's answer, or the mentee's to a question."""
        return [cls.PENDING, cls.AWAITING_MENTEE]

    @classmethod
    def answered(cls) -> list[InvitationStatus]:
        """Over with an answer or a lapse (what responsiveness is measured on)."""
        return [cls.ACCEPTED, cls.DECLINED, cls.EXPIRED]


LIVE_INVITATION = InvitationStatus.live()


class DeclineReason(models.TextChoices):
    NOT_MY_TOPIC = "not_my_topic", "Not my topic"
    NO_TIME = "no_time", "No time now"
    OTHER = "other", "Other"


class Invitation(models.Model):
    """An ask offered to one mentor, with a response window. The clock stops while a
    clarifying question waits for the mentee (`remaining` keeps what was left)."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="invitations")
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    rank = models.PositiveSmallIntegerField(default=0, help_text="Place in the suggestions")
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    decline_reason = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    via_board = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "mentor"], name="invitation_once_per_mentor"),
            models.UniqueConstraint(
                fields=["ask"],
                condition=Q(status__in=LIVE_INVITATION),
                name="one_live_invitation_per_ask",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["mentor", "status"]),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("invitation_detail", kwargs={"pk": self.pk})

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_INVITATION


class Clarification(models.Model):
    """A clarifying question from the mentor, or the mentee's answer, before accepting."""

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="clarifications"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
