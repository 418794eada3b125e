"""Safety: reports about the other person, and blocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .engagements import Engagement, Message

User = settings.AUTH_USER_MODEL


class Report(models.Model):
    """A report about the other person; chosen messages become visible to admins."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reported = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=2000)
    messages = models.ManyToManyField(Message, blank=True, related_name="reports")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Report {self.pk}"


class Block(models.Model):
    """`blocker` never again gets asks from, or is suggested to, `blocked`."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
