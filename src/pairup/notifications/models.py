from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    INVITED = "invited", "You are invited to an ask"
    CLARIFY = "clarify", "A clarifying question or answer"
    ACCEPTED = "accepted", "Your ask was accepted"
    DECLINED = "declined", "A mentor declined or did not answer"
    REROUTED = "rerouted", "Your ask went to the next mentor"
    MESSAGE = "message", "A new message"
    WRAP_UP = "wrap_up", "Wrap-up is due"
    THANKS = "thanks", "A thank-you note"
    WITHDRAWN = "withdrawn", "An invitation was withdrawn"
    REPORT = "report", "A report to review (admins)"
    SIGNIN_FAILURES = "signin_failures", "Repeated failed sign-ins to your account"
    MENTOR_APPLICATION = "mentor_application", "News about your mentor application"
    APPLICATION_REPLY = "application_reply", "A mentor applicant's reply (admins)"
    # Events, after the event (h-evafter).
    BUDDY = "buddy", "Your conference buddies: introduction and thank-you prompt"
    STAY_IN_TOUCH = "stay_in_touch", "Someone you met at an event stays in touch"
    EVENT_INVITATION = "event_invitation", "An invitation to an event"
    EVENT_REGISTRATION = (
        "event_registration",
        "Your event registrations: confirmed, waitlist, cancelled",
    )
    # Event schedules (h-evsched).
    EVENT_AGENDA = "event_agenda", "Your agenda for an event"
    EVENT_ENDED = "event_ended", "An event you took part in ended: rate your conversations"
    # Program insights, for admins (h-alerts).
    INSIGHTS_WEEKLY = "insights_weekly", "The week's health alerts and figures (admins)"
    INSIGHTS_MONTHLY = "insights_monthly", "The monthly insights report (admins)"


class Notification(models.Model):
    """An in-app notice; email goes out too unless the person muted that kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # What the notice is about (e.g. "session:12:reminder"), so that notices which stop
    # being true can be withdrawn together (see services.notifications_withdraw).
    ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["ref"], name="notification_ref", condition=~Q(ref="")),
        ]

    def __str__(self) -> str:
        return self.text


class EmailMute(models.Model):
    """A kind of notification this person does not want by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_mutes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind}"
