from __future__ import annotations

import pytest

from pairup.notifications.models import EmailMute, Notification
from pairup.notifications.services import notifications_withdraw, notify, unsubscribe_token

pytestmark = pytest.mark.django_db


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, mentee):
    n = notify(user=mentee, kind="message", text="New message", url="/asks/")
    client.force_login(mentee)
    response = client.get(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/asks/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_someone_elses_notification_is_404_and_stays_unread(client, mentee, mentor):
    n = notify(user=mentee, kind="message", text="New message", url="/asks/")
    client.force_login(mentor)
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_an_outside_address_is_never_followed(client, mentee):
    n = Notification.objects.create(
        user=mentee, kind="message", text="x", url="https://evil.example/"
    )
    client.force_login(mentee)
    assert client.get(f"/notifications/{n.pk}/open/")["Location"] == "/notifications/"


def test_one_click_unsubscribe_mutes_that_kind_only(client, mentee):
    response = client.post(f"/notifications/unsubscribe/{unsubscribe_token(mentee, 'message')}/")
    assert response.status_code == 200
    assert list(EmailMute.objects.filter(user=mentee).values_list("kind", flat=True)) == ["message"]
    assert client.post("/notifications/unsubscribe/forged-token/").status_code == 400


def test_a_muted_kind_is_still_shown_in_app_but_not_emailed(
    mentee, django_capture_on_commit_callbacks, mailoutbox
):
    EmailMute.objects.create(user=mentee, kind="message")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=mentee, kind="message", text="Muted", url="/asks/")
        notify(user=mentee, kind="accepted", text="Not muted", url="/asks/")
    assert [m.subject for m in mailoutbox] == ["[PairUp] Not muted"]
    assert Notification.objects.filter(user=mentee).count() == 2


def test_notify_quietly_records_the_notice_but_queues_no_email(
    mentee, django_capture_on_commit_callbacks
):
    from django.core import mail

    from pairup.core.quiet import quietly

    with django_capture_on_commit_callbacks(execute=True) as callbacks, quietly():
        notify(user=mentee, kind="message", text="New message", url="/asks/")
    assert (len(callbacks), mail.outbox) == (0, [])
    assert list(Notification.objects.filter(user=mentee).values_list("text", flat=True)) == [
        "New message"
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(user=mentee, kind="message", text="Another message", url="/asks/")
    assert len(callbacks) == 1 and [m.subject for m in mail.outbox] == ["[PairUp] Another message"]


def test_a_long_notice_is_cut_at_a_word_with_an_ellipsis(
    mentee, django_capture_on_commit_callbacks, mailoutbox
):
    text = "Sam asks for your help: " + "how do I negotiate equity in a startup offer " * 8
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=mentee, kind="invited", text=text, url="/asks/")
    (message,) = mailoutbox
    subject = message.subject.removeprefix("[PairUp] ")
    assert subject.endswith("…") and len(subject) <= 120
    # The cut falls between two words of the text: what is kept is whole words.
    assert text.startswith(subject[:-1] + " ")
    stored = Notification.objects.get(user=mentee).text
    assert stored.endswith("…") and len(stored) <= 300 and text.startswith(stored[:-1] + " ")


def test_every_notification_email_links_back_to_its_page_on_site_url(
    settings, mentee, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = "https://mentoring.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=mentee, kind="message", text="New message", url="/asks/", email_body="Read it.")
    (message,) = mailoutbox
    assert message.body.startswith(
        "Read it.\n\nOpen it in PairUp: https://mentoring.example.org/asks/\n"
    )


def test_a_notification_without_a_page_of_this_site_is_refused(mentee):
    with pytest.raises(TypeError):
        notify(user=mentee, kind="message", text="Where to?")  # type: ignore[call-arg]
    for url in ("", "https://evil.example/", "//evil.example/"):
        with pytest.raises(ValueError, match="links to a page of this site"):
            notify(user=mentee, kind="message", text="Where to?", url=url)
    assert not Notification.objects.exists()


def test_withdraw_removes_only_the_notices_filed_under_that_ref(mentee, mentor):
    notify(user=mentee, kind="message", text="Reminder 1", url="/asks/", ref="session:1:reminder")
    read = notify(
        user=mentor, kind="message", text="Reminder 1", url="/asks/", ref="session:1:reminder"
    )
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(user=mentee, kind="message", text="Reminder 2", url="/asks/", ref="session:2:reminder")
    notify(user=mentee, kind="message", text="New message", url="/asks/")

    assert notifications_withdraw(ref="session:1:reminder") == 2
    assert sorted(Notification.objects.values_list("text", flat=True)) == [
        "New message",
        "Reminder 2",
    ]
    with pytest.raises(ValueError):
        notifications_withdraw(ref="")  # would reach every notice without a ref
    assert Notification.objects.count() == 2
