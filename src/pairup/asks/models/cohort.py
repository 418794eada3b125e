"""Cohort matching: a sign-up round of asks, a matching run over a cohort (the engine's
exact assignment beside the greedy one) and the pairs it proposes for the admins' review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .asks import Ask

User = settings.AUTH_USER_MODEL


class CohortRound(models.Model):
    """A sign-up round: mentees join their asks to it until the deadline, then the program's
    admins match them all at once. Kept minimal: a name, a deadline and the asks."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="cohort_rounds"
    )
    name = models.CharField(max_length=80)
    deadline = models.DateTimeField()
    asks = models.ManyToManyField(Ask, related_name="cohort_rounds", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cohort_round_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortRunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Matching"
    READY = "ready", "Ready for review"
    FAILED = "failed", "Failed"
    PUBLISHED = "published", "Published"

    @classmethod
    def busy(cls) -> list[CohortRunStatus]:
        """Being computed: the proposal cannot be changed or published yet."""
        return [cls.QUEUED, cls.RUNNING]


class CohortRun(models.Model):
    """One matching run over a cohort: all open asks without a mentor (`round` empty), or
    the asks of a sign-up round. A background task fills in the proposal (`pairs`) and the
    figures of the engine's assignment and of the greedy one (`figures`: {"engine": {...},
    "greedy": {...}}, as `pairup.engine.cohort.CohortFigures.as_dict`). `inputs` keeps the
    engine records the run scored (compressed JSON), so the scores of every eligible pair
    can be downloaded later exactly as the run saw them."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="cohort_runs"
    )
    round = models.ForeignKey(
        CohortRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=CohortRunStatus.choices, default=CohortRunStatus.QUEUED
    )
    stage = models.CharField(max_length=80, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    seconds = models.JSONField(default=dict, blank=True)  # time per phase of the last run
    error = models.CharField(max_length=300, blank=True)
    inputs = models.BinaryField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="cohort_run_progress_pct"),
        ]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"Cohort run {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("cohort_review", kwargs={"slug": self.program.slug, "run_id": self.pk})

    @property
    def is_busy(self) -> bool:
        return self.status in CohortRunStatus.busy()

    @property
    def cohort_label(self) -> str:
        return self.round.name if self.round else "All open asks"


class ProposedPair(models.Model):
    """One ask of a run's cohort and the mentor proposed for it (none: it stays unmatched,
    `unmatched_reason` says why), with the score and reasons. `fixed_by_admin`: an admin
    chose or kept this pair, and a re-run keeps it."""

    run = models.ForeignKey(CohortRun, on_delete=models.CASCADE, related_name="pairs")
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    unmatched_reason = models.CharField(max_length=300, blank=True)
    fixed_by_admin = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "ask_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "ask"], name="proposed_pair_once_per_ask"),
        ]

    def __str__(self) -> str:
        return f"ask {self.ask_id} → {self.mentor_id or 'nobody'}"
