"""Wrap-up: each side's feedback and the mentee's thanks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .engagements import Engagement

User = settings.AUTH_USER_MODEL


class Feedback(models.Model):
    """Wrap-up feedback of one side. `shared` = the other person may read it; otherwise only
    the program's admins do."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=6, choices=[("mentee", "Mentee"), ("mentor", "Mentor")])
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Usefulness 1–5 (mentee)"
    )
    applied = models.TextField("what I will apply", max_length=2000, blank=True)
    notes = models.TextField("how it went", max_length=2000, blank=True)
    shared = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "author"], name="feedback_once_per_side"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"


class ThankYou(models.Model):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="thanks")
    body = models.TextField(max_length=2000)
    on_profile = models.BooleanField(
        default=False, help_text="The mentor shows it on their profile"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.body[:60]
