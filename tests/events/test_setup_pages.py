"""The organisers' pages: a program's events, a new event (kind first, then its fields with
times in the event's zone), edit, publish, cancel, organisers, the hub and invitations; and
who may reach them (a draft is hidden, another program's event and a non-organiser get
404)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.events.models import Event, EventInvitation, EventKind, EventState
from pairup.events.registrations import registration_create
from pairup.events.setup import event_organisers_set
from pairup.programs.models import AuditEntry
from pairup.programs.pools import pool_create, pool_members_add
from tests.events.setup_helpers import new_event, published
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def _speed_form(**changes: str) -> dict[str, str]:
    data = {
        "kind": "speed_mentoring",
        "title": "Lunchtime speed mentoring",
        "slug": "",
        "description": "Meet four mentors in an hour.",
        "timezone": "Europe/Paris",
        "starts_at": "2031-07-01T12:00",
        "ends_at": "2031-07-01T13:00",
        "registration_opens_at": "",
        "registration_closes_at": "2031-06-29T18:00",
        "place_kind": "room",
        "place": "Salle Eiffel",
        "video_url": "",
        "capacity": "30",
        "audience": "members",
        "rounds": "4",
        "round_minutes": "10",
        "break_minutes": "2",
        "seats_per_mentor": "1",
        "tables-TOTAL_FORMS": "0",
        "tables-INITIAL_FORMS": "0",
        "tables-MIN_NUM_FORMS": "0",
        "tables-MAX_NUM_FORMS": "200",
    }
    data.update(changes)
    return data


def test_the_program_events_page_hides_drafts_from_members(client, program, admin, mentee):
    published(program, admin, title="Published one")
    new_event(program, admin, title="Secret draft")
    client.force_login(mentee)
    page = client.get("/p/acme/events/").content.decode()
    assert "Published one" in page and "Secret draft" not in page
    assert "New event" not in page
    client.force_login(admin)
    page = client.get("/p/acme/events/").content.decode()
    assert "Secret draft" in page and "New event" in page


def test_a_new_event_starts_with_its_kind(client, program, admin, mentee):
    client.force_login(mentee)
    assert client.get("/p/acme/events/new/").status_code == 404
    client.force_login(admin)
    page = client.get("/p/acme/events/new/").content.decode()
    assert "What kind of event?" in page and 'name="kind"' in page
    form = client.get("/p/acme/events/new/?kind=roundtables").content.decode()
    assert "Mentees per table" in form and 'name="tables-TOTAL_FORMS"' in form
    # The room and the video link are each needed by where people meet: neither is
    # labelled optional (the help text says when each is needed).
    for label in ("Room or address", "Video link"):
        assert f"{label}</label>" in form, label
    assert "Needed in person" in form and "Needed online" in form
    buddies = client.get("/p/acme/events/new/?kind=conference_buddies").content.decode()
    assert "Conference&#x27;s first day" in buddies and 'name="starts_at"' not in buddies


def test_creating_stores_the_local_times_in_utc_and_opens_the_hub(client, program, admin):
    client.force_login(admin)
    response = client.post("/p/acme/events/new/", _speed_form())
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.slug}/manage/"
    assert event.slug == "lunchtime-speed-mentoring" and event.state == EventState.DRAFT
    assert event.starts_at == datetime(2031, 7, 1, 10, 0, tzinfo=UTC)  # Paris is UTC+2
    assert event.registration_closes_at == datetime(2031, 6, 29, 16, 0, tzinfo=UTC)
    assert (event.capacity, event.rounds, event.created_by) == (30, 4, admin)
    assert AuditEntry.objects.filter(action="event_created", actor=admin).count() == 1
    # The edit form shows them back in the event's zone.
    edit = client.get(f"/events/{event.slug}/edit/").content.decode()
    assert 'value="2031-07-01T12:00"' in edit


def test_errors_are_shown_beside_their_fields(client, program, admin):
    client.force_login(admin)
    # The form's own checks first ...
    response = client.post("/p/acme/events/new/", _speed_form(slug="Bad Slug", rounds="40"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_slug_error"' in page and "lower-case letters" in page
    assert 'id="id_rounds_error"' in page
    # ... then the service's, each beside its field.
    response = client.post("/p/acme/events/new/", _speed_form(ends_at="2031-07-01T11:00", place=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_ends_at_error"' in page and "The event ends after it starts." in page
    assert 'id="id_place_error"' in page
    assert not Event.objects.exists()
    taken = new_event(program, admin, slug="taken")
    response = client.post("/p/acme/events/new/", _speed_form(slug=taken.slug))
    assert response.status_code == 422
    assert "is taken by another event" in response.content.decode()


def test_a_roundtable_table_without_a_topic_is_named(client, program, admin):
    client.force_login(admin)
    data = _speed_form(
        kind="roundtables",
        table_size="4",
        **{
            "tables-TOTAL_FORMS": "2",
            "tables-0-name": "Window",
            "tables-0-topic": "sql",
            "tables-1-name": "Door",
            "tables-1-topic": "",
        },
    )
    data.pop("seats_per_mentor")
    data["rounds"] = "2"
    data["round_minutes"] = "20"
    response = client.post("/p/acme/events/new/", data)
    assert response.status_code == 422
    assert 'id="tables_error"' in response.content.decode()
    data["tables-1-topic"] = "public-speaking"
    assert client.post("/p/acme/events/new/", data).status_code == 302
    event = Event.objects.get(kind=EventKind.ROUNDTABLES)
    assert [t.topic.slug for t in event.tables.all()] == ["sql", "public-speaking"]


def test_edit_publish_and_cancel_from_the_pages(
    client, program, admin, mentee, django_capture_on_commit_callbacks
):
    event = new_event(program, admin)
    client.force_login(admin)
    data = _speed_form(title="Renamed event", slug=event.slug, timezone="Europe/London")
    assert client.post(f"/events/{event.slug}/edit/", data).status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed event"
    assert client.post(f"/events/{event.slug}/publish/").status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED
    registration_create(event=event, user=mentee, role="mentee")
    mail.outbox.clear()
    confirm = client.get(f"/events/{event.slug}/cancel/").content.decode()
    assert "The 1 people registered" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.slug}/cancel/", {"reason": "Snow."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert [m.to[0] for m in mail.outbox] == [mentee.email]
    # A cancelled event no longer changes: the edit page sends back to the hub.
    assert client.get(f"/events/{event.slug}/edit/").status_code == 302


def test_outsiders_and_members_who_do_not_organise_get_404(
    client, program, admin, mentee, mentor, outsider
):
    event = published(program, admin)
    draft = new_event(program, admin, title="Draft")
    other_admin = UserFactory()
    MembershipFactory(program=ProgramFactory(slug="initech"), user=other_admin, is_admin=True)
    for who in (mentee, mentor, outsider, other_admin):
        client.force_login(who)
        for path in ("manage", "edit", "invite", "organisers", "cancel"):
            assert client.get(f"/events/{event.slug}/{path}/").status_code == 404, (who, path)
        assert client.post(f"/events/{event.slug}/publish/").status_code == 404
        assert client.get(f"/events/{draft.slug}/").status_code == 404
    # Named organisers run this event (not its organisers page: that is the admins').
    event_organisers_set(event=event, by=admin, users=[mentor])
    client.force_login(mentor)
    assert client.get(f"/events/{event.slug}/manage/").status_code == 200
    assert client.get(f"/events/{event.slug}/edit/").status_code == 200
    assert client.get(f"/events/{event.slug}/organisers/").status_code == 404
    assert client.get(f"/events/{draft.slug}/manage/").status_code == 404


def test_the_hub_shows_counts_balance_and_registrants_with_their_needs(
    client, program, admin, mentee, mentor
):
    event = published(program, admin, capacity=10, topics=["sql"])
    registration_create(
        event=event,
        user=mentee,
        role="mentee",
        topics=["sql"],
        want="Learn window functions",
        accessibility="Hearing loop",
    )
    for _ in range(2):
        registration_create(
            event=event, user=MembershipFactory(program=program).user, role="mentee"
        )
    client.force_login(admin)
    page = client.get(f"/events/{event.slug}/manage/").content.decode()
    assert "0 mentors : 3 mentees" in page and "No mentor has registered yet" in page
    assert "Sam Mentee" in page and "Learn window functions" in page
    assert "Hearing loop" in page
    assert "7 places left" in page
    assert 'include "events/_manage_parts.html"' not in page  # rendered, not shown
    assert 'id="part-schedule"' in page and 'id="part-live"' in page
    registration_create(event=event, user=mentor, role="mentor")
    page = client.get(f"/events/{event.slug}/manage/").content.decode()
    assert "1 mentor : 3 mentees" in page


def test_the_hub_reads_a_fixed_number_of_queries(client, program, admin):
    event = published(program, admin, topics=["sql", "public-speaking"])
    client.force_login(admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/events/{event.slug}/manage/").status_code == 200
        return len(queries)

    registration_create(
        event=event, user=MembershipFactory(program=program).user, role="mentee", topics=["sql"]
    )
    one = count()
    for _ in range(2):
        registration_create(
            event=event,
            user=MembershipFactory(program=program).user,
            role="mentee",
            topics=["sql", "public-speaking"],
        )
    assert count() == one


def test_organisers_are_named_from_a_member_search(client, program, admin, mentor):
    event = new_event(program, admin)
    client.force_login(admin)
    page = client.get(f"/events/{event.slug}/organisers/?q=Priya").content.decode()
    assert "Priya Mentor" in page
    response = client.post(
        f"/events/{event.slug}/organisers/",
        {"action": "add", "q": "Priya", "members": [str(mentor.pk)]},
    )
    assert response.status_code == 302
    assert list(event.organisers.all()) == [mentor]
    client.post(f"/events/{event.slug}/organisers/", {"action": "remove", "user": str(mentor.pk)})
    assert not event.organisers.exists()


def test_invitations_go_to_chosen_members_and_pools_once(
    client, program, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    event = published(program, admin)
    pool = pool_create(program=program, by=admin, name="London")
    pool_members_add(
        pool=pool, by=admin, members=program.memberships.filter(user__in=[mentee, mentor])
    )
    client.force_login(admin)
    page = client.get(f"/events/{event.slug}/invite/?q=Sam").content.decode()
    assert "Sam Mentee" in page and "London (2)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{event.slug}/invite/",
            {"q": "Sam", "members": [str(mentee.pk)], "pools": [str(pool.pk)], "note": "Come!"},
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [mentee.email, mentor.email]
    assert "Come!" in mail.outbox[0].body and f"/events/{event.slug}/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.slug}/invite/", {"pools": [str(pool.pk)]})
    assert mail.outbox == []  # not twice to the same person
    assert EventInvitation.objects.filter(event=event).count() == 2


def test_a_draft_takes_no_invitations(client, program, admin):
    event = new_event(program, admin)
    client.force_login(admin)
    assert client.get(f"/events/{event.slug}/invite/").status_code == 302


def test_an_optional_field_of_another_form_is_still_labelled_optional(client, program, admin):
    """Marking the event's room and video link as needed-by-place leaves every other
    form's optional fields labelled so (the label template reads a field's own mark)."""
    client.force_login(admin)
    form = client.get("/p/acme/events/new/?kind=roundtables").content.decode()
    assert '<span class="optional">(optional)</span>' in form  # e.g. the capacity
