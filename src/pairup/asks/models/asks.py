"""Asks: a mentee's focused request inside one program, and its kinds, formats and routes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

User = settings.AUTH_USER_MODEL


class AskKind(models.TextChoices):
    ADVICE = "advice", "Advice on a challenge"
    SKILL = "skill", "Help with a skill"
    INFORMATIONAL = "informational", "Informational interview about a role"


class Format(models.TextChoices):
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    CHAT = "chat", "Chat"


class AskStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Looking for a mentor"
    ENGAGED = "engaged", "Matched"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"

    @classmethod
    def unmatched(cls) -> list[AskStatus]:
        """Not yet matched nor ended: a draft or an open ask (what the open-asks limit counts,
        and what may still be edited or withdrawn)."""
        return [cls.DRAFT, cls.OPEN]


class Route(models.TextChoices):
    INVITE = "invite", "Invite mentors one at a time"
    BOARD = "board", "Open board: the first eligible mentor to offer takes it"


class Ask(models.Model):
    """A mentee's focused request inside one program."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="asks")
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(max_length=16, choices=AskKind.choices, default=AskKind.ADVICE)
    topics = models.ManyToManyField("topics.Topic", related_name="asks", blank=True)
    question = models.TextField(max_length=2000)
    tried = models.TextField("what I have tried / what would help", max_length=2000, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.VIDEO)
    duration = models.PositiveSmallIntegerField(default=30)
    sessions = models.PositiveSmallIntegerField(default=1)
    by = models.DateField("by when", null=True, blank=True)
    status = models.CharField(max_length=10, choices=AskStatus.choices, default=AskStatus.DRAFT)
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.INVITE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1) & Q(sessions__lte=3), name="ask_sessions_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(duration__in=[15, 30, 45, 60]), name="ask_duration_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status", "route"]),
            # The insights' date ranges (asks made in the range, of one program).
            models.Index(fields=["program", "created_at"], name="ask_program_created_idx"),
        ]

    def __str__(self) -> str:
        return self.question[:60]

    def get_absolute_url(self) -> str:
        return reverse("ask_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == AskStatus.OPEN
