"""Optional self-identification (the DEI lens): fields a program's admins define, each
member's consent, and the answers they chose to give.

What these rows may be used for is narrow and said to every member before they answer
(`identity.PURPOSE`): aggregate counts for groups of at least five people on the insights
dashboard (`pairup.insights.dei`). Nobody reads one person's answers but that person: no
page, API endpoint, export or admin screen shows them, and withdrawing deletes them.
"""

from __future__ import annotations

from django.db import models

from pairup.core.validators import validate_single_line

IDENTITY_LABEL_MAX_LENGTH = 120
IDENTITY_OPTION_MAX_LENGTH = 80


class IdentityField(models.Model):
    """One optional question a program asks its members about themselves ("Gender",
    "Ethnicity", "First generation at university"), with fixed options. A retired field is
    no longer asked nor reported, and its answers are gone; the row stays so that the audit
    log can name it."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="identity_fields"
    )
    label = models.CharField(
        max_length=IDENTITY_LABEL_MAX_LENGTH, validators=[validate_single_line]
    )
    prefer_not_to_say = models.BooleanField(
        default=True, help_text="Offer “Prefer not to say” besides the options"
    )
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "position", "id"]

    def __str__(self) -> str:
        return self.label


class IdentityOption(models.Model):
    """One answer a field offers, in `position` order."""

    field = models.ForeignKey(IdentityField, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(
        max_length=IDENTITY_OPTION_MAX_LENGTH, validators=[validate_single_line]
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["field", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["field", "label"], name="identity_option_once"),
        ]

    def __str__(self) -> str:
        return self.label


class IdentityConsent(models.Model):
    """A member's yes to the program's use of their answers, as explained to them when they
    gave it. No consent, no answers: withdrawing deletes both."""

    membership = models.OneToOneField(
        "programs.Membership", on_delete=models.CASCADE, related_name="identity_consent"
    )
    given_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Consent of membership {self.membership_id}"


class IdentityAnswer(models.Model):
    """A member's answer to one field: an option, or “prefer not to say”. `answered_at` is
    when it was last given or changed; the dashboard counts only answers given before the
    start of the current month (`pairup.insights.dei`), so that a change shows up among a
    month's worth of others, never on its own."""

    field = models.ForeignKey(IdentityField, on_delete=models.CASCADE, related_name="answers")
    membership = models.ForeignKey(
        "programs.Membership", on_delete=models.CASCADE, related_name="identity_answers"
    )
    option = models.ForeignKey(
        IdentityOption, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    prefer_not = models.BooleanField(default=False)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["field", "id"]
        constraints = [
            models.UniqueConstraint(fields=["field", "membership"], name="identity_answer_once"),
            models.CheckConstraint(
                condition=models.Q(option__isnull=True, prefer_not=True)
                | models.Q(option__isnull=False, prefer_not=False),
                name="identity_answer_option_or_prefer_not",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.field_id}"
