"""What the insights keep: the emails to a program's admins that went out, one row per
program, kind and period, so the cron commands never send one twice."""

from __future__ import annotations

from django.db import models


class DigestKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly health alerts and figures"
    MONTHLY = "monthly", "Monthly report"


class Digest(models.Model):
    """An insights email that went out to a program's admins: each (program, kind, period)
    at most once, guarded by the database (two cron runs at once: the second finds the row
    and sends nothing). The weekly one keeps the alerts open when it went out, with their
    fingerprints: next week's email tells only what is news against these."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=DigestKind.choices)
    # The ISO week ("2026-W49") or the month ("2026-11") the email is about.
    period = models.CharField(max_length=8)
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)
    # {alert ident: fingerprint} of every alert open when it was sent (weekly only).
    alerts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "period"], name="insights_digest_once"
            ),
        ]
        indexes = [models.Index(fields=["program", "kind", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} of program {self.program_id}"
