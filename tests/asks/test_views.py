"""The ask, invitation and engagement pages: access, forms and errors beside the field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.asks import services
from pairup.asks.models import (
    Ask,
    AskStatus,
    Clarification,
    Engagement,
    Feedback,
    Invitation,
    InvitationStatus,
    Message,
    Resource,
    Route,
    ThankYou,
)
from pairup.programs.models import Membership
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate equity in a data-science offer from a Series B startup?"


def make_ask(program, mentee, **fields):
    data = {"topics": ["negotiating-an-offer"], "question": QUESTION, "duration": 30, **fields}
    return services.ask_create(program=program, mentee=mentee, **data)


def ask_post(**overrides):
    data = {
        "topics": ["negotiating-an-offer"],
        "question": QUESTION,
        "tried": "I read two blog posts on equity.",
        "kind": "advice",
        "format": "video",
        "duration": "30",
        "sessions": "2",
        "by": "",
        "submit": "open",
    }
    data.update(overrides)
    return data


def engaged(program, mentee, mentor):
    ask = make_ask(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    return services.invitation_accept(invitation=invitation, by=mentor)


def error_beside(html: str, field: str) -> str:
    """The error text rendered under `field`, which the widget names in aria-describedby."""
    match = re.search(rf'<p class="error" id="id_{field}_error">([^<]*)</p>', html)
    assert match, f"no error beside {field}"
    # A radio group's first input carries the link (the group wraps them in a fieldset).
    widget = re.search(rf'<(?:input|select|textarea)[^>]*id="id_{field}(?:_0)?"[^>]*>', html)
    widget = widget.group(0)
    assert f"id_{field}_error" in widget and 'aria-invalid="true"' in widget
    return match.group(1)


# ---------------------------------------------------------------- writing an ask


def test_ask_form_coaches_with_examples_and_program_policy(client, program, mentee):
    client.force_login(mentee)
    html = client.get(f"/p/{program.slug}/asks/new/").content.decode()
    assert "How do I negotiate equity in a data-science offer from a Series B startup?" in html
    assert '<option value="30" selected>30 minutes</option>' in html
    assert '<option value="45">45 minutes</option>' in html
    assert '<option value="60">' not in html
    assert '<option value="3">3 sessions</option>' in html
    assert 'label for="id_tried"' in html


def test_ask_create_submits_and_shows_suggestions_with_reasons(client, program, mentee, mentor):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/asks/new/", ask_post())
    ask = Ask.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/asks/{ask.pk}/"
    assert (ask.status, ask.sessions, ask.duration, ask.tried) == (
        AskStatus.OPEN,
        2,
        30,
        "I read two blog posts on equity.",
    )
    assert [t.slug for t in ask.topics.all()] == ["negotiating-an-offer"]
    html = client.get(f"/asks/{ask.pk}/").content.decode()
    assert "Priya Mentor" in html
    assert 'class="reasons"' in html and "New mentor: no replies yet" in html
    assert 'aria-label="Invite Priya Mentor"' in html
    assert mentor.email not in html


def test_ask_create_as_draft(client, program, mentee, mentor):
    client.force_login(mentee)
    client.post(f"/p/{program.slug}/asks/new/", ask_post(submit="draft"))
    ask = Ask.objects.get()
    assert ask.status == AskStatus.DRAFT
    html = client.get(f"/asks/{ask.pk}/").content.decode()
    assert "Draft: only you can see it" in html and "Suggested mentors" not in html
    client.post(f"/asks/{ask.pk}/submit/")
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN


def test_too_short_question_is_an_error_beside_the_field_and_nothing_written(
    client, program, mentee
):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/asks/new/", ask_post(question="Help me?"))
    assert response.status_code == 200
    assert "at least 15 characters" in error_beside(response.content.decode(), "question")
    assert Ask.objects.count() == 0


def test_invalid_duration_is_an_error_beside_the_field_and_nothing_written(client, program, mentee):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/asks/new/", ask_post(duration="60"))
    assert error_beside(response.content.decode(), "duration") == (
        "This program offers sessions of 30, 45 minutes."
    )
    assert Ask.objects.count() == 0


def test_ask_edit_updates_and_outsider_cannot(client, program, mentee, outsider):
    ask = make_ask(program, mentee)
    client.force_login(mentee)
    response = client.post(
        f"/asks/{ask.pk}/edit/", ask_post(question=QUESTION + " Remote role.", duration="45")
    )
    assert response.status_code == 302
    ask.refresh_from_db()
    assert (ask.question.endswith("Remote role."), ask.duration) == (True, 45)
    client.force_login(outsider)
    assert client.get(f"/asks/{ask.pk}/edit/").status_code == 404


def test_non_mentee_cannot_write_an_ask(client, program, admin):
    client.force_login(admin)
    response = client.post(f"/p/{program.slug}/asks/new/", ask_post())
    assert "Join this program as a mentee to write an ask." in response.content.decode()
    assert Ask.objects.count() == 0


# ---------------------------------------------------------------- invite and triage


def test_invite_disables_other_invites_and_shows_who_and_time_left(client, program, mentee, mentor):
    make_mentor(program, topics={"negotiating-an-offer": "experienced"}, display_name="Second")
    ask = make_ask(program, mentee)
    client.force_login(mentee)
    client.post(f"/asks/{ask.pk}/invite/", {"mentor": mentor.pk})
    invitation = Invitation.objects.get(ask=ask)
    assert (invitation.mentor, invitation.status) == (mentor, InvitationStatus.PENDING)
    html = client.get(f"/asks/{ask.pk}/").content.decode()
    assert "Waiting for Priya Mentor to answer" in html and "left" in html
    assert re.search(r'<button type="submit" disabled aria-label="Invite Second">', html)
    # A second invitation while one is pending is refused with a message, nothing written.
    second = Membership.objects.get(user__profile__display_name="Second").user
    response = client.post(f"/asks/{ask.pk}/invite/", {"mentor": second.pk}, follow=True)
    assert "Wait for the invited mentor" in response.content.decode()
    assert Invitation.objects.filter(ask=ask).count() == 1


def test_triage_shows_the_ask_in_full_never_the_mentee_email(client, program, mentee, mentor):
    mentee.profile.headline = "Junior analyst"
    mentee.profile.site = "Berlin"
    mentee.profile.save()
    ask = make_ask(program, mentee, tried="Read about vesting", sessions=2)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    html = client.get(f"/invitations/{invitation.pk}/").content.decode()
    for text in (QUESTION, "Read about vesting", "Negotiating an offer", "2 × 30 min"):
        assert text in html
    assert "Sam Mentee" in html and "Junior analyst" in html and "Berlin" in html
    assert "left to respond" in html
    assert mentee.email not in html
    # The invited mentor opening the ask page lands on the triage page.
    response = client.get(f"/asks/{ask.pk}/")
    assert response["Location"] == f"/invitations/{invitation.pk}/"


def test_clarify_answer_accept_through_the_pages(client, program, mentee, mentor):
    ask = make_ask(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    client.post(f"/invitations/{invitation.pk}/clarify/", {"body": "Which country is it in?"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_MENTEE
    client.force_login(mentee)
    html = client.get(f"/asks/{ask.pk}/").content.decode()
    assert "Which country is it in?" in html and "Send answer" in html
    empty = client.post(f"/asks/{ask.pk}/answer/", {"body": ""})
    assert error_beside(empty.content.decode(), "body") == "This field is required."
    client.post(f"/asks/{ask.pk}/answer/", {"body": "Germany"})
    assert list(Clarification.objects.values_list("body", flat=True)) == [
        "Which country is it in?",
        "Germany",
    ]
    client.force_login(mentor)
    response = client.post(f"/invitations/{invitation.pk}/accept/")
    engagement = Engagement.objects.get()
    assert response["Location"] == f"/engagements/{engagement.pk}/"
    assert (engagement.mentee, engagement.mentor) == (mentee, mentor)


def test_decline_with_reason_and_pause(client, program, mentee, mentor):
    ask = make_ask(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    html = client.get(f"/invitations/{invitation.pk}/").content.decode()
    assert (
        'name="reason" value="not_my_topic"' in html and 'aria-label="Decline: no time now"' in html
    )
    missing = client.post(f"/invitations/{invitation.pk}/decline/", {"pause_weeks": "2"})
    assert "This field is required." in missing.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    client.post(f"/invitations/{invitation.pk}/decline/", {"reason": "no_time", "pause_weeks": "2"})
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decline_reason) == ("declined", "no_time")
    paused = Membership.objects.get(user=mentor, program=program).invitations_paused_until
    assert timedelta(days=13) < paused - timezone.now() <= timedelta(weeks=2)


def test_board_post_and_offer(client, program, mentee, mentor):
    ask = make_ask(program, mentee)
    client.force_login(mentee)
    client.post(f"/asks/{ask.pk}/board/")
    ask.refresh_from_db()
    assert ask.route == Route.BOARD
    client.force_login(mentor)
    assert QUESTION[:40] in client.get("/board/").content.decode()
    response = client.post(f"/asks/{ask.pk}/offer/")
    engagement = Engagement.objects.get()
    assert response["Location"] == f"/engagements/{engagement.pk}/"
    assert engagement.mentor == mentor


# ---------------------------------------------------------------- access


def test_outsider_gets_404_on_ask_invitation_and_engagement(
    client, program, mentee, mentor, outsider
):
    engagement = engaged(program, mentee, mentor)
    invitation = Invitation.objects.get()
    client.force_login(outsider)
    for url in (
        f"/asks/{engagement.ask_id}/",
        f"/invitations/{invitation.pk}/",
        f"/engagements/{engagement.pk}/",
        f"/engagements/{engagement.pk}/report/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/engagements/{engagement.pk}/message/", {"body": "hi"}).status_code == 404
    assert client.post(f"/asks/{engagement.ask_id}/withdraw/").status_code == 404
    assert Message.objects.count() == 0


def test_admin_cannot_open_an_engagement_page(client, program, mentee, mentor, admin):
    engagement = engaged(program, mentee, mentor)
    services.message_post(engagement=engagement, by=mentee, body="A private hello")
    client.force_login(admin)
    assert client.get(f"/engagements/{engagement.pk}/").status_code == 404
    html = client.get(f"/p/{program.slug}/asks/").content.decode()
    assert QUESTION[:30] not in html or "A private hello" not in html
    assert "A private hello" not in html and "Priya Mentor" in html


def test_other_mentor_cannot_see_an_invitation(client, program, mentee, mentor):
    other = make_mentor(program, topics={"sql": "expert"}, display_name="Other")
    ask = make_ask(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(other)
    assert client.get(f"/invitations/{invitation.pk}/").status_code == 404
    assert client.post(f"/invitations/{invitation.pk}/accept/").status_code == 404
    assert client.get(f"/asks/{ask.pk}/").status_code == 404


# ---------------------------------------------------------------- engagement page


def test_message_posts_with_htmx_and_without(client, program, mentee, mentor):
    engagement = engaged(program, mentee, mentor)
    client.force_login(mentee)
    url = f"/engagements/{engagement.pk}/message/"
    plain = client.post(url, {"body": "Hello Priya"})
    assert plain["Location"] == f"/engagements/{engagement.pk}/#thread"
    partial = client.post(url, {"body": "Tuesday 10:00?"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="thread"')
    assert html.index("Hello Priya") < html.index("Tuesday 10:00?")
    assert "<html" not in html
    assert list(Message.objects.values_list("body", flat=True)) == ["Hello Priya", "Tuesday 10:00?"]


def test_resource_wrap_up_and_thanks_on_profile(client, program, mentee, mentor):
    engagement = engaged(program, mentee, mentor)
    client.force_login(mentor)
    bad = client.post(f"/engagements/{engagement.pk}/resource/", {"title": "X", "url": "nope"})
    assert error_beside(bad.content.decode(), "url") == "Enter a valid URL."
    client.post(
        f"/engagements/{engagement.pk}/resource/",
        {"title": "Levels", "url": "https://example.org/levels", "note": "Salary bands"},
    )
    assert Resource.objects.get().title == "Levels"
    client.post(f"/engagements/{engagement.pk}/complete/")
    client.post(
        f"/engagements/{engagement.pk}/feedback/", {"notes": "Well prepared", "shared": "0"}
    )
    client.force_login(mentee)
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Well prepared" not in html  # the mentor kept it for admins
    assert "How useful was it?" in html
    client.post(
        f"/engagements/{engagement.pk}/feedback/",
        {"rating": "5", "applied": "Ask for a higher base", "shared": "1"},
    )
    client.post(f"/engagements/{engagement.pk}/thanks/", {"body": "Thank you, Priya!"})
    feedback = {f.role: (f.rating, f.shared) for f in Feedback.objects.all()}
    assert feedback == {"mentor": (None, False), "mentee": (5, True)}
    thanks = ThankYou.objects.get()
    profile_url = f"/p/{program.slug}/mentors/{mentor.pk}/"
    assert "Thank you, Priya!" not in client.get(profile_url).content.decode()
    client.force_login(mentor)
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Ask for a higher base" in html  # shared with the mentor
    client.post(f"/thanks/{thanks.pk}/profile/", {"show": "1", "next": "/mentor/"})
    thanks.refresh_from_db()
    assert thanks.on_profile is True
    client.force_login(mentee)
    assert "Thank you, Priya!" in client.get(profile_url).content.decode()


def test_only_the_thanked_mentor_can_show_it(client, program, mentee, mentor):
    engagement = engaged(program, mentee, mentor)
    services.engagement_close(engagement=engagement, by=mentee)
    thanks = services.thanks_send(engagement=engagement, by=mentee, body="Thanks")
    client.force_login(mentee)
    assert client.post(f"/thanks/{thanks.pk}/profile/", {"show": "1"}).status_code == 404
    thanks.refresh_from_db()
    assert thanks.on_profile is False


def test_email_shows_only_when_both_share(client, program, mentee, mentor):
    engagement = engaged(program, mentee, mentor)
    client.force_login(mentee)
    client.post(f"/engagements/{engagement.pk}/share-contact/")
    assert mentor.email not in client.get(f"/engagements/{engagement.pk}/").content.decode()
    client.force_login(mentor)
    client.post(f"/engagements/{engagement.pk}/share-contact/")
    assert mentee.email in client.get(f"/engagements/{engagement.pk}/").content.decode()


def test_cancel_needs_a_reason(client, program, mentee, mentor):
    engagement = engaged(program, mentee, mentor)
    client.force_login(mentee)
    response = client.post(f"/engagements/{engagement.pk}/cancel/", {"reason": ""})
    assert error_beside(response.content.decode(), "reason") == "This field is required."
    client.post(f"/engagements/{engagement.pk}/cancel/", {"reason": "Found an answer"})
    engagement.refresh_from_db()
    assert (engagement.status, engagement.cancel_reason) == ("cancelled", "Found an answer")


def test_report_shows_admins_only_the_chosen_messages(client, program, mentee, mentor, admin):
    engagement = engaged(program, mentee, mentor)
    kept = services.message_post(engagement=engagement, by=mentor, body="Something rude")
    services.message_post(engagement=engagement, by=mentee, body="Something private")
    client.force_login(mentee)
    client.post(
        f"/engagements/{engagement.pk}/report/",
        {"reason": "Rude message", "messages": [str(kept.pk)]},
    )
    report = engagement.reports.get()
    client.force_login(admin)
    html = client.get(f"/p/{program.slug}/reports/{report.pk}/").content.decode()
    assert "Something rude" in html and "Rude message" in html
    assert "Something private" not in html
    client.force_login(mentor)
    assert client.get(f"/p/{program.slug}/reports/{report.pk}/").status_code == 404


def test_code_of_conduct_page(client):
    assert "Code of conduct" in client.get("/conduct/").content.decode()


def test_nav_shows_unread_notifications(client, program, mentee, mentor):
    make_ask(program, mentee)
    services.invitation_create(ask=Ask.objects.get(), mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert re.search(r'<span class="badge">1<span class="sr-only"> unread</span>', html)
    assert 'href="/mentor/"' in html and 'href="/board/"' in html
    client.force_login(mentee)
    html = client.get("/").content.decode()
    assert 'href="/mentor/"' not in html and 'class="badge"' not in html


def test_a_closed_engagement_does_not_invite_messages_it_cannot_take(
    client, program, mentee, mentor
):
    """Done with no message or session: the page says so, rather than 'say hello and
    propose a time' above no message form."""
    engagement = engaged(program, mentee, mentor)
    client.force_login(mentee)
    active = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Say hello and propose a time." in active and "No session booked yet." in active
    services.engagement_close(engagement=engagement, by=mentee)
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Say hello" not in html and "No messages were sent." in html
    assert "No session booked yet." not in html and "No session was booked." in html
    assert f'action="/engagements/{engagement.pk}/message/"' not in html
