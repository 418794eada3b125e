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
        indexes = [models.Index(fields=["program", "status", "route"])]

    def __str__(self) -> str:
        return self.question[:60]

    def get_absolute_url(self) -> str:
        return reverse("ask_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == AskStatus.OPEN


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


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Engagement(models.Model):
    """Created when a mentor accepts: the private space of one mentee and one mentor."""

    ask = models.OneToOneField(Ask, on_delete=models.CASCADE, related_name="engagement")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="engagements"
    )
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="engagements_as_mentee")
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="engagements_as_mentor")
    status = models.CharField(
        max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    sessions_agreed = models.PositiveSmallIntegerField(default=1)
    mentee_shares_contact = models.BooleanField(default=False)
    mentor_shares_contact = models.BooleanField(default=False)
    continue_proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
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

    def other(self, user: object) -> object:
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
