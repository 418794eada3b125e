"""Every person has a face on the page: their photo, or their initials on a colour of their
own, in the navigation, on directory and suggestion cards, on the invitation and engagement
pages, and beside each message of a thread."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pairup.accounts.services import profile_photo_set
from pairup.accounts.templatetags.people import avatar, initials
from pairup.asks import services as ask_services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Priya Raman", "PR"),
        ("Cher", "C"),
        ("ana maría de la cruz", "AC"),
        ("Jean-Luc Picard", "JP"),
        ("李雷", "李"),
        ("  ", "?"),
        ("<b>x", "?"),  # no markup ever reaches the page
        ("", "?"),
    ],
)
def test_initials(name, letters):
    assert initials(name) == letters


def test_an_initials_avatar_has_a_colour_of_its_own_and_is_hidden_from_screen_readers(mentee):
    html = avatar(mentee, "md")
    assert html == (
        f'<span class="avatar avatar-md avatar-c{mentee.pk % 8}" aria-hidden="true">SM</span>'
    )
    assert avatar(mentee.profile, "md") == html  # from the profile, the same


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (100, 100), (1, 2, 3)).save(out, format="JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_photo_replaces_the_initials(mentee):
    profile = profile_photo_set(user=mentee, photo=jpeg())
    mentee.refresh_from_db()
    html = avatar(mentee, "lg")
    assert html == (
        f'<img class="avatar avatar-lg" src="/media/{profile.photo.name}" alt="" '
        'width="96" height="96" loading="lazy">'
    )


def test_the_navigation_shows_the_signed_in_person(client, mentee):
    client.force_login(mentee)
    html = client.get("/asks/").content.decode()
    assert (
        f'<summary><span class="avatar avatar-xs avatar-c{mentee.pk % 8}" aria-hidden="true">SM'
        in html
    )


def test_directory_and_profile_cards_show_the_mentor(client, mentee, mentor, program):
    client.force_login(mentee)
    face = f'avatar-c{mentor.pk % 8}" aria-hidden="true">PM</span>'
    assert face in client.get(f"/p/{program.slug}/mentors/").content.decode()
    assert face in client.get(f"/p/{program.slug}/mentors/{mentor.pk}/").content.decode()


def test_suggestions_invitation_engagement_and_thread_show_faces(client, program, mentee, mentor):
    ask = ask_services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate equity in my first offer?",
    )
    client.force_login(mentee)
    mentor_face = f'avatar-c{mentor.pk % 8}" aria-hidden="true">PM</span>'
    mentee_face = f'avatar-c{mentee.pk % 8}" aria-hidden="true">SM</span>'
    assert mentor_face in client.get(f"/asks/{ask.pk}/").content.decode()
    invitation = ask_services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    assert mentee_face in client.get(f"/invitations/{invitation.pk}/").content.decode()
    engagement = ask_services.invitation_accept(invitation=invitation, by=mentor)
    ask_services.message_post(engagement=engagement, by=mentee, body="Hello!")
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    thread = html.split('id="thread"')[1].split("</section>")[0]
    assert mentee_face in thread
    assert mentee_face in html.split("<aside>")[1]  # the card of the other person
