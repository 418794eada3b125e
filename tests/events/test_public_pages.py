"""The public side of an event: its page for anyone once published (never a registrant's
name, an accessibility need or the video link), its .ics, and registering from the pages:
members, the waitlist offered when full, closed outside the window, and a newcomer through
an event open to anyone with its link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from pairup.events.models import Audience, Event, PlaceKind, Registration, RegistrationStatus
from pairup.events.registrations import registration_create
from pairup.events.setup import TableSpec
from pairup.programs.models import Membership
from tests.events.setup_helpers import new_event, published
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_public_page_is_for_anyone_and_holds_no_personal_data(
    client, program, admin, mentee, mentor
):
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK, capacity=20)
    registration_create(
        event=event, user=mentee, role="mentee", want="My secret wish", accessibility="Wheelchair"
    )
    registration_create(event=event, user=mentor, role="mentor")
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Spring speed mentoring" in page and "Atrium, 1 King St" in page
    assert "18 left" in page
    for private in ("Sam Mentee", "Priya Mentor", "My secret wish", "Wheelchair", mentee.email):
        assert private not in page
    # Signed in as another member: still nobody's name.
    client.force_login(UserFactory())
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Sam Mentee" not in page and "Priya Mentor" not in page


def test_a_draft_is_404_except_to_its_organisers(client, program, admin, mentee):
    event = new_event(program, admin)
    assert client.get(f"/events/{event.slug}/").status_code == 404
    assert client.get(f"/events/{event.slug}/event.ics").status_code == 404
    client.force_login(mentee)
    assert client.get(f"/events/{event.slug}/").status_code == 404
    client.force_login(admin)
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "only its organisers see this page" in page
    assert client.get("/events/no-such-event/").status_code == 404


def test_a_members_event_tells_visitors_it_is_for_members(client, program, admin, outsider):
    event = published(program, admin)
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "This event is for members of Acme Mentoring" in page
    assert "sign in</a> to register" in page
    assert client.get(f"/events/{event.slug}/register/")["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "This event is for members of Acme Mentoring" in page
    response = client.get(f"/events/{event.slug}/register/")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.slug}/"


def test_the_video_link_is_for_registrants_only(client, program, admin, mentee):
    event = published(
        program,
        admin,
        place_kind=PlaceKind.ONLINE,
        place="",
        video_url="https://meet.example.org/secret-room",
    )
    assert "secret-room" not in client.get(f"/events/{event.slug}/").content.decode()
    assert b"secret-room" not in client.get(f"/events/{event.slug}/event.ics").content
    registration_create(event=event, user=mentee, role="mentee")
    client.force_login(mentee)
    assert "secret-room" in client.get(f"/events/{event.slug}/").content.decode()


def test_the_ics_has_the_event_in_utc(client, program, admin):
    event = published(program, admin)
    response = client.get(f"/events/{event.slug}/event.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
    (item,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert item.decoded("dtstart") == event.starts_at
    assert item.decoded("dtend") == event.ends_at
    assert str(item["summary"]) == "Spring speed mentoring (Speed mentoring)"
    assert str(item["location"]) == "Atrium, 1 King St"
    assert str(item["status"]) == "CONFIRMED"
    assert str(item["uid"]).startswith(f"event-{event.pk}@")


def test_a_member_registers_from_the_page_and_cancels(
    client, program, admin, mentee, django_capture_on_commit_callbacks
):
    event = published(program, admin, topics=["sql", "public-speaking"])
    client.force_login(mentee)
    form = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "A mentee: I want advice" in form and "A mentor: I give advice" not in form
    assert "Only the organisers see this." in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{event.slug}/register/",
            {"role": "mentee", "topics": ["sql"], "languages": ["en"], "want": "SQL tips"},
        )
    assert response.status_code == 302 and response["Location"] == f"/events/{event.slug}/"
    registration = Registration.objects.get(event=event, user=mentee)
    assert (registration.status, registration.want) == ("registered", "SQL tips")
    assert [m.to[0] for m in mail.outbox] == [mentee.email]
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "You are registered" in page
    again = client.get(f"/events/{event.slug}/register/")
    assert again.status_code == 302  # already registered: back to the event, told so
    client.post(f"/events/{event.slug}/register/cancel/")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_full_event_offers_the_waitlist(client, program, admin, mentee, mentor):
    event = published(program, admin, capacity=1)
    registration_create(event=event, user=mentor, role="mentor")
    client.force_login(mentee)
    assert "Join the waitlist" in client.get(f"/events/{event.slug}/").content.decode()
    form = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "The event is full." in form and "Join the waitlist" in form
    response = client.post(
        f"/events/{event.slug}/register/", {"role": "mentee", "languages": ["en"], "waitlist": "on"}
    )
    assert response.status_code == 302
    assert Registration.objects.get(user=mentee).status == RegistrationStatus.WAITLISTED
    assert "You are on the waitlist" in client.get(f"/events/{event.slug}/").content.decode()


def test_the_last_place_going_while_the_form_is_open_offers_the_waitlist(
    client, program, admin, mentee, mentor
):
    event = published(program, admin, capacity=1)
    client.force_login(mentee)
    client.get(f"/events/{event.slug}/register/")
    registration_create(event=event, user=mentor, role="mentor")
    response = client.post(
        f"/events/{event.slug}/register/", {"role": "mentee", "languages": ["en"]}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "is full. Join the waitlist" in page and 'name="waitlist"' in page
    assert not Registration.objects.filter(user=mentee).exists()


def test_registration_outside_its_window_says_when(client, program, admin, mentee):
    event = published(program, admin)
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(mentee)
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "Registration closed" in page and 'name="role"' not in page
    response = client.post(f"/events/{event.slug}/register/", {"role": "mentee"})
    assert response.status_code == 409
    assert not Registration.objects.exists()


def test_a_visitor_from_the_link_is_asked_to_sign_up_then_joins_as_they_register(
    client, program, admin
):
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    register = f"/events/{event.slug}/register/"
    assert f'href="/accounts/signup/?next={register}"' in page
    assert "Create an account" in page
    newcomer = UserFactory(profile_fields={"display_name": ""})
    client.force_login(newcomer)
    form = client.get(register).content.decode()
    assert "You join Acme Mentoring as you register" in form and "Your name" in form
    response = client.post(
        register, {"display_name": "Nia Newcomer", "role": "mentee", "languages": ["en"]}
    )
    assert response.status_code == 302
    assert Membership.objects.get(program=program, user=newcomer).is_mentee
    assert Registration.objects.get(user=newcomer).status == RegistrationStatus.REGISTERED


def test_a_newcomer_coming_as_a_mentor_answers_the_program_questions_next(client, program, admin):
    from pairup.programs.models import ApplicationQuestion

    ApplicationQuestion.objects.create(program=program, text="Why mentor?")
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    client.force_login(UserFactory())
    response = client.post(
        f"/events/{event.slug}/register/", {"role": "mentor", "languages": ["en"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/p/acme/mentor-application/"


def test_roundtable_tables_show_on_the_hub_not_their_links_publicly(client, program, admin):
    from pairup.events.models import EventKind

    event = published(
        program,
        admin,
        kind=EventKind.ROUNDTABLES,
        place_kind=PlaceKind.ONLINE,
        place="",
        round_minutes=20,
        rounds=2,
        tables=[TableSpec("Data", "sql", "https://meet.example.org/data-table")],
    )
    assert "data-table" not in client.get(f"/events/{event.slug}/").content.decode()
    client.force_login(admin)
    assert "data-table" in client.get(f"/events/{event.slug}/manage/").content.decode()
