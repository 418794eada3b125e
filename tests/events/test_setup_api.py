"""Event set-up and registration over /api/v1: the same rules as the pages, errors naming
their field, and another program's events 404."""

from __future__ import annotations

import pytest
from django.core import mail

from pairup.events.models import Audience, Event, EventState, Registration
from pairup.events.registrations import registration_create
from pairup.programs.models import Membership
from pairup.programs.pools import pool_create, pool_members_add
from tests.events.setup_helpers import new_event, published
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_admin_creates_edits_and_publishes_an_event(api, program, admin):
    created = api(admin).post(
        "/programs/acme/events",
        {
            "kind": "speed_mentoring",
            "title": "API speed mentoring",
            "timezone": "Europe/Berlin",
            "starts_at": "2031-01-15T18:00:00",
            "ends_at": "2031-01-15T19:00:00",
            "place": "Room 1",
            "topics": ["sql"],
            "capacity": 20,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["slug"] == "api-speed-mentoring" and body["state"] == "draft"
    assert body["starts_at"].startswith("2031-01-15T17:00:00")  # Berlin is UTC+1 in January
    assert body["rounds"] == 4 and body["table_size"] is None
    assert body["counts"]["balance"] == "0 mentors : 0 mentees"
    changed = api(admin).patch("/events/api-speed-mentoring", {"rounds": 3, "title": "Renamed"})
    assert changed.status_code == 200 and changed.json()["rounds"] == 3
    published_ = api(admin).post("/events/api-speed-mentoring/publish")
    assert published_.json()["state"] == "published"
    again = api(admin).post("/events/api-speed-mentoring/publish")
    assert again.status_code == 409 and again.json()["code"] == "not_a_draft"


def test_errors_name_their_fields(api, program, admin):
    bad = api(admin).post(
        "/programs/acme/events",
        {
            "kind": "speed_mentoring",
            "title": "Backwards",
            "starts_at": "2031-01-15T18:00:00Z",
            "ends_at": "2031-01-15T17:00:00Z",
            "place": "",
        },
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"ends_at", "place"} <= fields
    kind = api(admin).post("/programs/acme/events", {"kind": "karaoke", "title": "X"})
    assert kind.status_code == 422 and kind.json()["errors"][0]["field"] == "kind"
    new_event(program, admin, slug="taken")
    taken = api(admin).post(
        "/programs/acme/events",
        {"kind": "speed_mentoring", "title": "X", "slug": "taken", "place": "Room"},
    )
    assert taken.status_code == 409 and taken.json()["errors"] == [
        {"field": "slug", "message": "The address taken is taken by another event: choose another."}
    ]
    event = new_event(program, admin, title="Mine")
    kind_change = api(admin).patch(f"/events/{event.slug}", {"table_size": 5})
    assert kind_change.status_code == 422
    assert kind_change.json()["errors"][0]["field"] == "table_size"


def test_members_see_published_events_organisers_also_drafts(api, program, admin, mentee):
    published(program, admin, title="Open one")
    new_event(program, admin, title="Draft one")
    mine = api(mentee).get("/programs/acme/events").json()
    assert [e["title"] for e in mine["items"]] == ["Open one"]
    assert mine["items"][0]["counts"] is None and mine["items"][0]["organiser"] is False
    theirs = api(admin).get("/programs/acme/events").json()
    assert sorted(e["title"] for e in theirs["items"]) == ["Draft one", "Open one"]


def test_other_programs_and_non_organisers_get_404(api, program, admin, mentee, outsider):
    event = published(program, admin)
    draft = new_event(program, admin, title="Draft")
    assert api(outsider).get(f"/events/{event.slug}").status_code == 404
    assert api(outsider).get("/programs/acme/events").status_code == 404
    assert (
        api(outsider).post(f"/events/{event.slug}/registrations", {"role": "mentee"}).status_code
        == 404
    )
    assert api(mentee).get(f"/events/{draft.slug}").status_code == 404
    assert api(mentee).patch(f"/events/{event.slug}", {"title": "Mine"}).status_code == 404
    assert api(mentee).post(f"/events/{event.slug}/cancel", {}).status_code == 404
    assert (
        api(mentee)
        .post("/programs/acme/events", {"kind": "speed_mentoring", "title": "X"})
        .status_code
        == 404
    )
    assert (
        api(mentee).post(f"/events/{event.slug}/invitations", {"members": [mentee.pk]}).status_code
        == 404
    )


def test_a_member_registers_themself_and_cancels(api, program, admin, mentee, mentor):
    event = published(program, admin, capacity=1, topics=["sql"])
    registered = api(mentee).post(
        f"/events/{event.slug}/registrations",
        {"role": "mentee", "topics": ["sql"], "want": "Joins", "accessibility": "Quiet table"},
    )
    assert registered.status_code == 201
    body = registered.json()
    assert (body["status"], body["topics"], body["accessibility"]) == (
        "registered",
        ["sql"],
        "Quiet table",
    )
    twice = api(mentee).post(f"/events/{event.slug}/registrations", {"role": "mentee"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_registered"
    full = api(mentor).post(
        f"/events/{event.slug}/registrations", {"role": "mentor", "waitlist": False}
    )
    assert full.status_code == 409 and full.json()["code"] == "event_full"
    waiting = api(mentor).post(f"/events/{event.slug}/registrations", {"role": "mentor"})
    assert waiting.json()["status"] == "waitlisted" and waiting.json()["waitlist_position"] == 1
    # Each sees their own; organisers see all, with the needs.
    own = api(mentor).get(f"/events/{event.slug}/registrations").json()["items"]
    assert [r["user_id"] for r in own] == [mentor.pk]
    everyone = api(admin).get(f"/events/{event.slug}/registrations").json()["items"]
    assert [r["accessibility"] for r in everyone] == ["Quiet table", ""]
    mine = body["id"]
    assert api(mentor).post(f"/events/{event.slug}/registrations/{mine}/cancel").status_code == 404
    cancelled = api(mentee).post(f"/events/{event.slug}/registrations/{mine}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(user=mentor).status == "registered"  # promoted
    bad_topic = api(admin).post(
        f"/events/{event.slug}/registrations", {"role": "mentee", "topics": ["nope"]}
    )
    assert bad_topic.status_code == 422 and bad_topic.json()["errors"][0]["field"] == "topics"


def test_a_non_member_registers_through_a_link_event_and_joins(api, program, admin):
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    newcomer = UserFactory()
    assert api(newcomer).get(f"/events/{event.slug}").status_code == 200
    response = api(newcomer).post(f"/events/{event.slug}/registrations", {"role": "mentee"})
    assert response.status_code == 201
    assert Membership.objects.filter(program=program, user=newcomer, is_mentee=True).exists()


def test_registration_after_the_deadline_is_refused(api, program, admin, mentee):
    from datetime import timedelta

    from django.utils import timezone

    event = published(program, admin)
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    response = api(mentee).post(f"/events/{event.slug}/registrations", {"role": "mentee"})
    assert response.status_code == 409 and response.json()["code"] == "registration_closed"


def test_cancel_and_invite_over_the_api(
    api, program, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    event = published(program, admin)
    pool = pool_create(program=program, by=admin, name="Readers")
    pool_members_add(pool=pool, by=admin, members=program.memberships.filter(user=mentor))
    with django_capture_on_commit_callbacks(execute=True):
        invited = api(admin).post(
            f"/events/{event.slug}/invitations", {"members": [mentee.pk], "pools": [pool.pk]}
        )
    assert invited.status_code == 200
    assert sorted(invited.json()["invited"]) == sorted([mentee.pk, mentor.pk])
    again = api(admin).post(f"/events/{event.slug}/invitations", {"members": [mentee.pk]})
    assert again.json() == {"invited": [], "invited_before": 1, "registered": 0}
    stranger = MembershipFactory().user
    refused = api(admin).post(f"/events/{event.slug}/invitations", {"members": [stranger.pk]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "members"
    registration_create(event=event, user=mentee, role="mentee")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api(admin).post(f"/events/{event.slug}/cancel", {"reason": "Sorry."})
    assert cancelled.json()["state"] == EventState.CANCELLED
    assert [m.to[0] for m in mail.outbox] == [mentee.email]


def test_only_admins_name_organisers_over_the_api(api, program, admin, mentor, mentee):
    from pairup.events.setup import event_organisers_set

    event = new_event(program, admin)
    named = api(admin).patch(f"/events/{event.slug}", {"organisers": [mentor.pk]})
    assert named.status_code == 200 and named.json()["organisers"] == [mentor.pk]
    event_organisers_set(event=event, by=admin, users=[mentor])
    refused = api(mentor).patch(f"/events/{event.slug}", {"organisers": [mentor.pk, mentee.pk]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "organisers"


def test_dates_far_out_are_refused_naming_the_field(api, program, admin):
    for field, value in (
        ("starts_at", "9999-12-31T23:30:00"),
        ("registration_closes_at", "0001-01-01T00:00:00+14:00"),
    ):
        response = api(admin).post(
            "/programs/acme/events",
            {"kind": "speed_mentoring", "title": "Far", "place": "Room", field: value},
        )
        assert response.status_code == 422, response.json()
        assert response.json()["errors"][0]["field"] == field
    buddies = api(admin).post(
        "/programs/acme/events",
        {
            "kind": "conference_buddies",
            "title": "Far",
            "place": "Hall",
            "conference_starts_on": "9999-12-30",
            "conference_ends_on": "9999-12-31",
        },
    )
    assert buddies.status_code == 422
