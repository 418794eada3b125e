from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from pairup.core.validators import validate_multiline, validate_single_line

SESSION_LENGTHS = (15, 30, 45, 60)


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


def invitation_token_hash(token: str) -> str:
    """What a personal invitation keeps of its link's token: the link itself is only in
    the email, so a copy of the database lets nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_invitation_token() -> tuple[str, str]:
    """A fresh personal invitation token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def default_session_lengths() -> list[int]:
    return [30, 45]


def validate_session_lengths(value: list[int]) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(v, int) or v not in SESSION_LENGTHS for v in value)
    ):
        raise ValidationError(
            "Choose one or more session lengths among 15, 30, 45 and 60 minutes.",
            code="invalid_session_lengths",
        )


class MatchObjective(models.TextChoices):
    BEST_TOTAL = "best_total", "Best total relevance"
    MOST_MATCHED = "most_matched", "Most asks matched first"


def validate_weight(value: float) -> None:
    if not 0 <= value <= 5:
        raise ValidationError("A weight lies between 0 and 5.", code="invalid_weight")


class Program(models.Model):
    """The tenant: everything a member sees lives inside one program."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    # Policy.
    session_lengths = models.JSONField(
        default=default_session_lengths, validators=[validate_session_lengths]
    )
    max_sessions_per_engagement = models.PositiveSmallIntegerField(default=3)
    mentor_monthly_cap = models.PositiveSmallIntegerField(
        default=4, help_text="Sessions a month a mentor takes by default"
    )
    mentors_need_approval = models.BooleanField(default=True)
    response_window_hours = models.PositiveSmallIntegerField(
        default=48, help_text="How long a mentor has to answer an invitation"
    )
    max_open_asks = models.PositiveSmallIntegerField(
        default=3, help_text="Open asks a mentee may have at once"
    )
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    invite_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="The invite link stops working then (empty: never)"
    )
    is_open = models.BooleanField(
        default=False,
        help_text="Listed to everyone signed in on this site, who may join without an invite",
    )
    video_url_template = models.CharField(
        max_length=300,
        default="https://meet.jit.si/pairup-{room}",
        help_text="Meeting link for video sessions; {room} becomes an unguessable room name",
    )
    # The template the program was set up from (programs.templates), kept to say what it
    # is for; its policy may have been edited since.
    template = models.CharField(max_length=30, blank=True)
    # Matching: the engine's weights and objective (engine.records.Policy) for suggestions
    # and cohort matching in this program.
    matching_objective = models.CharField(
        max_length=20, choices=MatchObjective.choices, default=MatchObjective.BEST_TOTAL
    )
    relevance_weight = models.FloatField(default=1.0, validators=[validate_weight])
    topic_weight = models.FloatField(default=0.5, validators=[validate_weight])
    availability_weight = models.FloatField(default=0.2, validators=[validate_weight])
    load_weight = models.FloatField(default=0.3, validators=[validate_weight])
    cross_site_bonus = models.FloatField(default=0.0, validators=[validate_weight])
    # The topics the program offers (`queries.program_topics`): the part of the site's
    # taxonomy its admins chose (none chosen: all of it) and the program's own topics (not
    # shared, made for it by `services.program_topic_add`).
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="programs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_sessions_per_engagement__gte=1)
                & models.Q(max_sessions_per_engagement__lte=3),
                name="program_sessions_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.session_lengths:
            self.session_lengths = [30, 45]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("program_detail", kwargs={"slug": self.slug})


class RetiredInvite(models.Model):
    """An invite code a program used before its admins replaced it: kept so that whoever
    opens the old link is told it was replaced, not that it never existed."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="retired_invites")
    code = models.CharField(max_length=32, unique=True)
    retired_at = models.DateTimeField()

    class Meta:
        ordering = ["-retired_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.program}, replaced {self.retired_at:%Y-%m-%d})"


class PoolKind(models.TextChoices):
    SITE = "site", "Site"
    TEAM = "team", "Team"
    INITIATIVE = "initiative", "Initiative"
    OTHER = "other", "Other"


class Pool(models.Model):
    """A named group of a program's members (a site, a team, an initiative). Match rules
    say which mentee pools may match which mentor pools; members may choose a pool that
    is `self_select` when they join."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pools")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=PoolKind.choices, default=PoolKind.OTHER)
    description = models.CharField(max_length=300, blank=True)
    self_select = models.BooleanField(
        default=False, help_text="Members may choose this pool themselves when they join"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="pool_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class MatchRule(models.Model):
    """Mentees in `mentee_pool` may be matched with mentors in `mentor_pool`. A program
    without rules matches anyone with anyone; once it has one, a pair is allowed only when
    some rule joins a pool of the mentee to a pool of the mentor."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_rules")
    mentee_pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="+")
    mentor_pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "mentee_pool__name", "mentor_pool__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee_pool", "mentor_pool"], name="match_rule_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_pool} → {self.mentor_pool}"


class MentorStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    PAUSED = "paused", "Paused"
    # Stepped down for good (offboarded by an admin): takes no asks, their engagements were
    # handed over or closed; an admin may approve them again later.
    OFFBOARDED = "offboarded", "Offboarded"


class Membership(models.Model):
    """A person in a program, with any of the roles mentor, mentee and admin."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_mentee = models.BooleanField(default=False)
    is_mentor = models.BooleanField(default=False)
    is_admin = models.BooleanField(default=False)
    mentor_status = models.CharField(
        max_length=10, choices=MentorStatus.choices, default=MentorStatus.PENDING
    )
    monthly_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the program's default cap for this mentor"
    )
    invitations_paused_until = models.DateTimeField(
        null=True, blank=True, help_text="The mentor takes no new invitations until then"
    )
    pools = models.ManyToManyField(Pool, blank=True, related_name="members")
    # Mentor onboarding (vetting): due when the mentor was approved while the program had an
    # onboarding note they had not read; eligibility offers them no ask until they have.
    onboarding_due = models.BooleanField(default=False)
    onboarded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mentor acknowledged the onboarding note"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="membership_once"),
            models.CheckConstraint(
                condition=models.Q(is_mentee=True)
                | models.Q(is_mentor=True)
                | models.Q(is_admin=True),
                name="membership_has_a_role",
            ),
        ]
        indexes = [models.Index(fields=["program", "is_mentor", "mentor_status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"

    @property
    def roles(self) -> list[str]:
        return [
            r
            for r, on in (
                ("mentor", self.is_mentor),
                ("mentee", self.is_mentee),
                ("admin", self.is_admin),
            )
            if on
        ]

    @property
    def is_approved_mentor(self) -> bool:
        return self.is_mentor and self.mentor_status == MentorStatus.APPROVED

    @property
    def effective_monthly_cap(self) -> int:
        return effective_monthly_cap(self.monthly_cap, self.program.mentor_monthly_cap)


def effective_monthly_cap(own: int | None, program_cap: int) -> int:
    """A mentor's monthly cap in a program: their own (the membership's override), else the
    program's. For reads of many memberships as values, without a model instance each."""
    return own if own is not None else program_cap


class AuditVia(models.TextChoices):
    # The values of pairup.core.channel.
    WEB = "web", "Web page"
    API = "api", "API"
    COMMAND_LINE = "cli", "Command line"
    SYSTEM = "system", "PairUp itself"


class AuditEntry(models.Model):
    """One admin action in a program: who, when, through what, and the state before and
    after. Written by `programs.audit.audit_record` only, and never changed or deleted."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's name when it happened: kept if the account goes.
    actor_name = models.CharField(max_length=120, blank=True)
    via = models.CharField(max_length=8, choices=AuditVia.choices, default=AuditVia.WEB)
    action = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["program", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit entries are never deleted.")


# ------------------------------------------------------------------------ mentor vetting

APPLICATION_QUESTION_MAX_LENGTH = 300
APPLICATION_ANSWER_MAX_LENGTH = 2000
APPLICATION_MESSAGE_MAX_LENGTH = 2000
DECLINE_REASON_MAX_LENGTH = 1000
ONBOARDING_NOTE_MAX_LENGTH = 5000


class ApplicationQuestion(models.Model):
    """A question a program that vets its mentors asks whoever offers to mentor in it, in
    `position` order; the program's admins write them."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="application_questions"
    )
    text = models.CharField(
        max_length=APPLICATION_QUESTION_MAX_LENGTH, validators=[validate_single_line]
    )
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ApplicationState(models.TextChoices):
    ANSWERING = "answering", "Answers missing"
    SUBMITTED = "submitted", "Waiting for review"
    MORE_ASKED = "more_asked", "More asked"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"

    @classmethod
    def open(cls) -> frozenset[str]:
        """An application still waiting on someone: the admins or the applicant."""
        return frozenset({cls.ANSWERING, cls.SUBMITTED, cls.MORE_ASKED})

    @classmethod
    def waiting_on_applicant(cls) -> frozenset[str]:
        return frozenset({cls.ANSWERING, cls.MORE_ASKED})


class MentorApplication(models.Model):
    """One person's offer to mentor in a program that vets its mentors: their answers, the
    admins' requests for more with the replies, and the decision. Kept after a decline, with
    its reason, even when the person is no longer a member."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="mentor_applications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_applications"
    )
    state = models.CharField(
        max_length=12, choices=ApplicationState.choices, default=ApplicationState.ANSWERING
    )
    # When it (last) entered the queue: the queue is first come, first served.
    applied_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(
        max_length=DECLINE_REASON_MAX_LENGTH, blank=True, validators=[validate_multiline]
    )

    class Meta:
        ordering = ["program", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentor_application_once"),
        ]
        indexes = [models.Index(fields=["program", "state", "applied_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.program} ({self.state})"


class ApplicationAnswer(models.Model):
    """An applicant's answer to one question, with the question's words as they read them
    (an admin may edit or remove the question afterwards)."""

    application = models.ForeignKey(
        MentorApplication, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        ApplicationQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question_text = models.CharField(max_length=APPLICATION_QUESTION_MAX_LENGTH)
    position = models.PositiveIntegerField(default=0)
    answer = models.TextField(
        max_length=APPLICATION_ANSWER_MAX_LENGTH, blank=True, validators=[validate_multiline]
    )

    class Meta:
        ordering = ["application", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="application_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.answer[:40]}"


class ApplicationMessage(models.Model):
    """The admins asking an applicant for more, or the applicant's reply."""

    application = models.ForeignKey(
        MentorApplication, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_admins = models.BooleanField()
    body = models.TextField(
        max_length=APPLICATION_MESSAGE_MAX_LENGTH, validators=[validate_multiline]
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class MentorOnboarding(models.Model):
    """What a program's newly approved mentors read before they take asks: a note and
    links to resources. A program without one asks no acknowledgement."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="mentor_onboarding"
    )
    note = models.TextField(max_length=ONBOARDING_NOTE_MAX_LENGTH, validators=[validate_multiline])
    # [{"title": ..., "url": ...}], in the order shown.
    links = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Mentor onboarding of {self.program}"


def new_upload_token() -> str:
    return secrets.token_urlsafe(24)


class RosterUpload(models.Model):
    """A roster file an admin uploaded, kept on the server between the import page's steps
    (map the columns, read the dry run, commit), so the commit imports exactly the file the
    dry run checked, never a copy the browser sends back. Only its uploader opens it, by an
    unguessable token, for `roster.UPLOAD_HOURS`; it is deleted once imported, and expired
    ones with the next upload."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True, default=new_upload_token)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    # The file's headers mapped to our columns ({header: column or ""}), as last chosen.
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.program}, {self.created_at:%Y-%m-%d %H:%M})"


# ------------------------------------------------------------------ member invitations


class MemberInvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class MemberInvitation(models.Model):
    """A personal invitation to join a program with given roles, sent by email to one
    address. Its link carries a token of which only the hash is kept; it works until
    `expires_at`, once, for the person who signs in with that address. Resending makes a
    new token (the old link stops working) and a new end date."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(max_length=254)  # stored lower-case
    token_hash = models.CharField(max_length=64, unique=True)
    is_mentee = models.BooleanField(default=False)
    is_mentor = models.BooleanField(default=False)
    is_admin = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    times_sent = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-created_at", "-id"]
        constraints = [
            # One open invitation per address and program (an expired one is renewed).
            models.UniqueConstraint(
                fields=["program", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="member_invitation_open_once",
            ),
            models.CheckConstraint(
                condition=models.Q(is_mentee=True)
                | models.Q(is_mentor=True)
                | models.Q(is_admin=True),
                name="member_invitation_has_a_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.program}"

    @property
    def roles(self) -> list[str]:
        return [
            r
            for r, on in (
                ("mentor", self.is_mentor),
                ("mentee", self.is_mentee),
                ("admin", self.is_admin),
            )
            if on
        ]

    @staticmethod
    def status_q(status: str, now: datetime) -> models.Q:
        """`status_at` as a filter, for lists: the same four states, in SQL."""
        open_ = models.Q(accepted_at__isnull=True, revoked_at__isnull=True)
        return {
            MemberInvitationStatus.ACCEPTED: models.Q(accepted_at__isnull=False),
            MemberInvitationStatus.REVOKED: models.Q(
                accepted_at__isnull=True, revoked_at__isnull=False
            ),
            MemberInvitationStatus.EXPIRED: open_ & models.Q(expires_at__lte=now),
            MemberInvitationStatus.PENDING: open_ & models.Q(expires_at__gt=now),
        }[MemberInvitationStatus(status)]

    def status_at(self, now: datetime) -> MemberInvitationStatus:
        """The one definition of where an invitation stands."""
        if self.accepted_at is not None:
            return MemberInvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return MemberInvitationStatus.REVOKED
        if self.expires_at <= now:
            return MemberInvitationStatus.EXPIRED
        return MemberInvitationStatus.PENDING


# Optional self-identification (the DEI lens), in its own module.
from .identity_models import (  # noqa: E402, F401
    IdentityAnswer,
    IdentityConsent,
    IdentityField,
    IdentityOption,
)
