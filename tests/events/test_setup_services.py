"""Setting an event up through the services: defaults per kind, times in the event's zone
stored in UTC, addresses unique site-wide, every refusal naming its field, publish and
cancel (with the registrants told), organisers, and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.events.models import (
    Event,
    EventKind,
    EventState,
    EventTable,
    PlaceKind,
    RegistrationStatus,
)
from pairup.events.registrations import registration_create
from pairup.events.setup import (
    TableSpec,
    event_cancel,
    event_create,
    event_organisers_set,
    event_publish,
    event_state_change,
    event_update,
    kind_defaults,
    local_to_utc,
)
from pairup.programs.models import AuditEntry
from tests.events.setup_helpers import future, new_event, published
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_kind_starts_from_sensible_defaults() -> None:
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    speed = kind_defaults(EventKind.SPEED_MENTORING, zone="Europe/London", now=now)
    assert (speed["rounds"], speed["round_minutes"], speed["seats_per_mentor"]) == (4, 10, 1)
    assert speed["ends_at"] - speed["starts_at"] == timedelta(hours=1)
    assert speed["registration_closes_at"] == speed["starts_at"] - timedelta(days=2)
    tables = kind_defaults(EventKind.ROUNDTABLES, zone="UTC", now=now)
    assert (tables["table_size"], tables["place_kind"]) == (4, PlaceKind.TABLES)
    buddies = kind_defaults(EventKind.CONFERENCE_BUDDIES, zone="UTC", now=now)
    assert buddies["mentees_per_mentor"] == "auto"
    assert buddies["conference_ends_on"] - buddies["conference_starts_on"] == timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        kind_defaults("karaoke")
    assert refused.value.field == "kind"


def test_times_are_entered_in_the_event_zone_and_stored_in_utc(program, admin) -> None:
    event = new_event(
        program,
        admin,
        timezone="America/New_York",
        starts_at=datetime(2031, 7, 1, 17, 0),
        ends_at=datetime(2031, 7, 1, 18, 30),
        registration_closes_at=datetime(2031, 6, 30, 12, 0),
    )
    # New York is UTC-4 in July.
    assert event.starts_at == datetime(2031, 7, 1, 21, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2031, 7, 1, 22, 30, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2031, 6, 30, 16, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_naming_the_field() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    # 30 March 2031: the clocks go from 01:00 to 02:00.
    with pytest.raises(ServiceError) as refused:
        local_to_utc(datetime(2031, 3, 30, 1, 30), london, field="starts_at")
    assert refused.value.field == "starts_at"
    # In winter London is UTC, in summer UTC+1.
    assert local_to_utc(datetime(2031, 1, 10, 9), london, field="x").hour == 9
    assert local_to_utc(datetime(2031, 7, 10, 9), london, field="x").hour == 8


def test_the_address_comes_from_the_title_and_stays_unique(program, admin, other_program) -> None:
    first = new_event(program, admin, title="Spring Speed Mentoring!")
    second = new_event(program, admin, title="Spring speed mentoring")
    assert (first.slug, second.slug) == ("spring-speed-mentoring", "spring-speed-mentoring-2")
    with pytest.raises(Conflict) as taken:
        new_event(program, admin, slug="spring-speed-mentoring")
    assert (taken.value.field, taken.value.code) == ("slug", "slug_taken")
    with pytest.raises(ServiceError) as bad:
        new_event(program, admin, slug="Not A Slug")
    assert bad.value.field == "slug"
    chosen = new_event(program, admin, slug="june-meetup")
    assert chosen.slug == "june-meetup"


def test_bad_set_up_is_refused_naming_every_field(program, admin) -> None:
    with pytest.raises(ValidationError) as refused:
        new_event(
            program,
            admin,
            starts_at=future(10, 18),
            ends_at=future(10, 17),
            registration_closes_at=future(11, 9),
            place="",
        )
    errors = refused.value.message_dict
    assert "ends_at" in errors
    assert "registration_closes_at" in errors
    assert errors["place"] == ["Say where: the room or the address."]
    assert not Event.objects.exists()


def test_rounds_must_fit_in_the_event(program, admin) -> None:
    with pytest.raises(ValidationError) as refused:
        new_event(
            program,
            admin,
            starts_at=future(10, 17),
            ends_at=future(10, 17).replace(minute=30),
            rounds=4,
            round_minutes=10,
            break_minutes=2,
        )
    assert "46 minutes; the event lasts 30" in refused.value.message_dict["rounds"][0]


def test_an_event_starts_in_the_future(program, admin) -> None:
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        new_event(
            program,
            admin,
            timezone="UTC",
            starts_at=past.replace(tzinfo=None),
            ends_at=(past + timedelta(hours=1)).replace(tzinfo=None),
            registration_closes_at=(past - timedelta(days=1)).replace(tzinfo=None),
        )
    assert refused.value.message_dict["starts_at"] == ["The event starts in the future."]


def test_online_needs_a_video_link_and_roundtables_a_topic_per_table(program, admin) -> None:
    with pytest.raises(ValidationError) as refused:
        new_event(program, admin, place_kind=PlaceKind.ONLINE, place="")
    assert "video_url" in refused.value.message_dict
    online = new_event(
        program,
        admin,
        title="Online speed",
        place_kind=PlaceKind.ONLINE,
        place="",
        tables=[TableSpec("A", "", "https://meet.example.org/a")],
    )
    assert online.tables.get().video_url == "https://meet.example.org/a"
    with pytest.raises(ValidationError) as no_topic:
        new_event(program, admin, kind=EventKind.ROUNDTABLES, tables=[TableSpec("Table A")])
    assert no_topic.value.message_dict["tables"] == ["Give each table its topic."]
    with pytest.raises(ValidationError) as none:
        new_event(program, admin, kind=EventKind.ROUNDTABLES, tables=[])
    assert "tables" in none.value.message_dict


def test_roundtables_tables_join_the_topic_offer(program, admin) -> None:
    event = new_event(
        program,
        admin,
        kind=EventKind.ROUNDTABLES,
        topics=["negotiating-an-offer"],
        tables=[TableSpec("Window", "sql"), TableSpec("", "public-speaking")],
    )
    assert [(t.number, t.name, t.topic.slug) for t in event.tables.all()] == [
        (1, "Window", "sql"),
        (2, "", "public-speaking"),
    ]
    assert sorted(event.topics.values_list("slug", flat=True)) == [
        "negotiating-an-offer",
        "public-speaking",
        "sql",
    ]
    # Editing keeps table rows by number (seats of a schedule keep pointing at them).
    first = event.tables.get(number=1).pk
    event_update(event=event, by=admin, tables=[TableSpec("Door", "sql")])
    assert list(EventTable.objects.filter(event=event).values_list("pk", "name")) == [
        (first, "Door")
    ]


def test_a_topic_the_program_does_not_offer_is_refused(program, admin) -> None:
    with pytest.raises(ServiceError) as refused:
        new_event(program, admin, topics=["not-a-topic"])
    assert refused.value.field == "topics"


def test_conference_buddies_span_the_conference_days(program, admin) -> None:
    first = (timezone.now() + timedelta(days=30)).date()
    event = new_event(
        program,
        admin,
        kind=EventKind.CONFERENCE_BUDDIES,
        title="Summit buddies",
        timezone="UTC",
        conference_starts_on=first,
        conference_ends_on=first + timedelta(days=2),
    )
    assert event.starts_at == datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(days=3)
    assert event.registration_closes_at == event.starts_at - timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        new_event(
            program,
            admin,
            kind=EventKind.CONFERENCE_BUDDIES,
            conference_starts_on=first,
            conference_ends_on=first - timedelta(days=1),
        )
    assert "conference_ends_on" in refused.value.message_dict
    with pytest.raises(ServiceError):
        new_event(program, admin, kind=EventKind.CONFERENCE_BUDDIES, tables=[TableSpec("A")])


def test_only_admins_create_events(program, mentee, outsider) -> None:
    for who in (mentee, outsider):
        with pytest.raises(Forbidden):
            new_event(program, who)


def test_publish_and_cancel_follow_the_state_machine(program, admin) -> None:
    event = new_event(program, admin)
    assert event.state == EventState.DRAFT
    event = event_publish(event=event, by=admin)
    assert event.state == EventState.PUBLISHED and event.published_at is not None
    with pytest.raises(Conflict):
        event_publish(event=event, by=admin)
    event = event_cancel(event=event, by=admin, reason="The room flooded.")
    assert event.state == EventState.CANCELLED
    with pytest.raises(Conflict):
        event_cancel(event=event, by=admin)
    with pytest.raises(Conflict) as frozen:
        event_update(event=event, by=admin, title="Again")
    assert frozen.value.code == "not_editable"
    actions = list(
        AuditEntry.objects.filter(target_type="event")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["event_created", "event_published", "event_cancelled"]


def test_publishing_with_registration_closed_already_is_refused(program, admin) -> None:
    event = new_event(program, admin)
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    event.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        event_publish(event=event, by=admin)
    assert refused.value.field == "registration_closes_at"
    event.refresh_from_db()
    assert event.state == EventState.DRAFT


def test_cancelling_tells_everyone_registered_or_waiting(
    program, admin, mentee, mentor, django_capture_on_commit_callbacks
) -> None:
    event = published(program, admin, capacity=1)
    registration_create(event=event, user=mentee, role="mentee")
    registration_create(event=event, user=mentor, role="mentor")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, by=admin, reason="The speaker fell ill.")
    assert sorted(m.to[0] for m in mail.outbox) == [mentee.email, mentor.email]
    assert all("is cancelled" in m.subject for m in mail.outbox)
    assert "The speaker fell ill." in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="event_cancelled")
    assert entry.after == {"state": "cancelled", "reason": "The speaker fell ill."}


def test_an_edit_is_audited_with_what_changed(program, admin) -> None:
    event = new_event(program, admin)
    event_update(event=event, by=admin, title="Autumn speed mentoring", rounds=3)
    entry = AuditEntry.objects.get(action="event_updated")
    assert entry.before == {"title": "Spring speed mentoring", "rounds": 4}
    assert entry.after == {"title": "Autumn speed mentoring", "rounds": 3}
    event_update(event=event, by=admin, title="Autumn speed mentoring")
    assert AuditEntry.objects.filter(action="event_updated").count() == 1  # nothing changed


def test_the_kind_stays_and_a_published_address_too(program, admin) -> None:
    event = new_event(program, admin)
    with pytest.raises(ServiceError) as kind:
        event_update(event=event, by=admin, kind=EventKind.ROUNDTABLES)
    assert kind.value.field == "kind"
    event = event_update(event=event, by=admin, slug="renamed")
    assert event.slug == "renamed"
    event_publish(event=event, by=admin)
    with pytest.raises(Conflict) as fixed:
        event_update(event=event, by=admin, slug="renamed-again")
    assert fixed.value.field == "slug"


def test_organisers_are_members_named_by_an_admin(program, admin, mentor, mentee, outsider):
    event = new_event(program, admin)
    event_organisers_set(event=event, by=admin, users=[mentor])
    assert list(event.organisers.all()) == [mentor]
    # A named organiser runs the event but does not name others.
    event_update(event=event, by=mentor, title="Run by Priya")
    with pytest.raises(Forbidden):
        event_organisers_set(event=event, by=mentor, users=[mentor, mentee])
    with pytest.raises(ServiceError) as stranger:
        event_organisers_set(event=event, by=admin, users=[outsider])
    assert stranger.value.field == "organisers"
    with pytest.raises(Forbidden):
        event_update(event=event, by=mentee, title="Mine now")
    assert AuditEntry.objects.filter(action="event_organisers_changed").count() == 1


def test_more_places_promote_the_waitlist(
    program, admin, mentee, mentor, django_capture_on_commit_callbacks
) -> None:
    event = published(program, admin, capacity=1)
    registration_create(event=event, user=mentee, role="mentee")
    waiting = registration_create(event=event, user=mentor, role="mentor")
    assert waiting.status == RegistrationStatus.WAITLISTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, by=admin, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED and waiting.promoted_at
    assert [m.to[0] for m in mail.outbox] == [mentor.email]


def test_an_event_is_created_from_the_kind_defaults_in_the_creator_zone(program) -> None:
    admin = UserFactory(profile_fields={"display_name": "Tz Admin", "timezone": "Asia/Tokyo"})
    program.memberships.create(user=admin, is_admin=True)
    event = event_create(
        program=program, by=admin, kind=EventKind.SPEED_MENTORING, title="Tokyo", place="HQ"
    )
    assert event.timezone == "Asia/Tokyo"
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (17, 0)
    assert local.date() > date.today()


def test_the_live_room_moves_an_event_along_the_state_machine(program, admin, mentee) -> None:
    event = new_event(program, admin)
    with pytest.raises(Conflict) as early:
        event_state_change(event=event, to=EventState.LIVE, by=admin)
    assert early.value.code == "bad_transition"
    event_publish(event=event, by=admin)
    with pytest.raises(Forbidden):
        event_state_change(event=event, to=EventState.LIVE, by=mentee)
    event = event_state_change(event=event, to=EventState.LIVE, by=admin)
    event = event_state_change(event=event, to=EventState.ENDED)
    assert event.state == EventState.ENDED
    with pytest.raises(Conflict):
        event_state_change(event=event, to=EventState.LIVE)
    assert AuditEntry.objects.filter(action__in=["event_live", "event_ended"]).count() == 2
