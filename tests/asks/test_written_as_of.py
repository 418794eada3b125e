"""Writing the past (an ask dated by `now=`) and writing quietly (no expiry task queued):
what the demo loader relies on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.asks import services
from pairup.asks.models import Ask
from pairup.asks.tasks import expire_invitation_later
from pairup.core.quiet import quietly

pytestmark = pytest.mark.django_db

ASK = {
    "topics": ["negotiating-an-offer"],
    "question": "How do I negotiate a data science offer with equity?",
    "duration": 30,
}


def test_ask_create_with_now_dates_the_ask_then(program, mentee):
    then = timezone.now().replace(microsecond=0) - timedelta(days=60)
    ask = services.ask_create(program=program, mentee=mentee, now=then, **ASK)
    assert Ask.objects.filter(pk=ask.pk).values_list("created_at", "updated_at").get() == (
        then,
        then,
    )
    assert (ask.created_at, ask.updated_at) == (then, then)


def test_ask_create_without_now_dates_the_ask_now(program, mentee):
    before = timezone.now()
    ask = services.ask_create(program=program, mentee=mentee, **ASK)
    ask.refresh_from_db()
    assert before <= ask.created_at <= timezone.now()


def test_an_invitation_written_quietly_queues_no_expiry(
    settings, program, mentee, mentor, django_capture_on_commit_callbacks
):
    # A backend that can defer, like the database backend of a real deployment.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ask = services.ask_create(program=program, mentee=mentee, **ASK)
    with django_capture_on_commit_callbacks() as callbacks, quietly():
        invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    assert invitation.expires_at is not None and callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        expire_invitation_later(invitation)
    assert len(callbacks) == 1


def test_ask_withdraw_with_now_dates_the_withdrawal_then(program, mentee, mentor):
    then = timezone.now().replace(microsecond=0) - timedelta(days=30)
    ask = services.ask_create(program=program, mentee=mentee, now=then, **ASK)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee, now=then)
    later = then + timedelta(hours=5)
    services.ask_withdraw(ask=ask, by=mentee, now=later)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.responded_at) == ("withdrawn", later)
    assert Ask.objects.filter(pk=ask.pk).values_list("status", "updated_at").get() == (
        "withdrawn",
        later,
    )
