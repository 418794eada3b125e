"""What the asks app tells people by email: subjects cut at a word with an ellipsis, never
mid-word, and a link back to the page it is about."""

from __future__ import annotations

import pytest

from pairup.asks import services
from pairup.notifications.models import Notification

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"
LONG_QUESTION = (
    "How do I negotiate equity and a signing bonus in a data-science offer from a Series B "
    "startup when I already hold a competing offer from a bank?"
)


def assert_cut_at_a_word(short: str, full: str) -> None:
    assert short.endswith("…")
    assert full.startswith(short[:-1] + " ")  # whole words, then the ellipsis


def test_the_invitation_email_cuts_the_question_at_a_word_and_links_back(
    settings, program, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = SITE
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=LONG_QUESTION
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    (message,) = mailoutbox
    subject = message.subject.removeprefix("[PairUp] ")
    assert_cut_at_a_word(subject, f"Sam Mentee asks for your help: {LONG_QUESTION}")
    assert f"Open it in PairUp: {SITE}/invitations/{invitation.pk}/\n" in message.body
    assert LONG_QUESTION in message.body  # the email itself has the question in full


def test_a_long_thank_you_is_cut_at_a_word_in_the_notice(
    program, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=LONG_QUESTION
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    services.engagement_close(engagement=engagement, by=mentee)
    body = "Thank you so much for the time you gave me; the advice on anchoring " * 3
    services.thanks_send(engagement=engagement, by=mentee, body=body)
    text = Notification.objects.filter(user=mentor, kind="thanks").get().text
    assert_cut_at_a_word(text, f"Sam Mentee thanked you: {body.strip()}")
