"""The live room: the organiser's controls (a state machine over the event's live fields),
the state document with its ETag and 304, who may see and run it, and check-in."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pairup.core.errors import Conflict, ServiceError
from pairup.events.live import live_control
from pairup.events.live_checkin import (
    normalise_code,
    registration_check_in,
    registration_mark_absent,
    registrations_mark_rest_absent,
)
from pairup.events.live_state import forget_memo
from pairup.events.models import (
    Attendance,
    Event,
    EventKind,
    EventState,
    Registration,
    RegistrationStatus,
)
from pairup.programs.models import Membership
from tests.factories import PASSWORD, UserFactory

from .live_factory import live_event, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_memo():
    forget_memo()
    yield
    forget_memo()


def signed_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def state(client: Client, slug: str = "live-night", **headers):
    return client.get(f"/events/{slug}/live/state.json", headers=headers)


# ------------------------------------------------------------------------ controls


def test_start_sets_the_event_live_in_round_one(program, admin) -> None:
    setup = live_event(program)
    event = live_control(event=setup.event, by=admin, action="start")
    stored = Event.objects.get(pk=event.pk)
    assert (stored.state, stored.live_phase, stored.live_round, stored.live_version) == (
        EventState.LIVE,
        "round",
        0,
        1,
    )
    assert stored.live_phase_ends_at is not None
    assert abs((stored.live_phase_ends_at - timezone.now()).total_seconds() - 600) < 5


def test_end_sets_the_event_ended(program, admin) -> None:
    setup = live_event(program)
    live_control(event=setup.event, by=admin, action="start")
    live_control(event=setup.event, by=admin, action="end")
    stored = Event.objects.get(pk=setup.event.pk)
    assert (stored.state, stored.live_phase, stored.live_version) == ("ended", "ended", 2)
    with pytest.raises(Conflict, match="The event has ended."):
        live_control(event=setup.event, by=admin, action="start")


def test_the_end_asks_everyone_who_met_someone_to_rate_once(
    program, admin, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    """Ended in round 2 of 3: everyone seated in rounds 1-2 is told, once, with a link to
    rate their conversations; nobody else."""
    from pairup.events.after.services import event_ended_notify
    from pairup.notifications.models import Notification

    setup = live_event(program, mentors=2, mentees=5, rounds=3)
    live_control(event=setup.event, by=admin, action="start")
    live_control(event=setup.event, by=admin, action="next", to_round=1)
    with django_capture_on_commit_callbacks(execute=True):
        live_control(event=setup.event, by=admin, action="end")
    met = {
        Registration.objects.get(pk=pk).user_id
        for round_, mentor, mentee in setup.seats()
        if round_ <= 1
        for pk in (mentor, mentee)
    }
    told = Notification.objects.filter(kind="event_ended")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(met)
    assert {(n.url, n.text) for n in told} == {
        ("/events/live-night/met/", "Live night has ended: rate your conversations")
    }
    assert event_ended_notify(event_id=setup.event.pk) == 0  # once per person
    assert told.count() == len(met)


def test_ending_quietly_tells_who_met_at_once_and_emails_nobody(
    program, admin, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    """Written on people's behalf (the demo's past event, inside `quietly()`): the notices
    are written before the commit, while it is still quiet; nothing waits for the commit
    to tell or email anyone, when it would no longer be quiet."""
    from pairup.core.quiet import quietly
    from pairup.events.after.services import event_ended_notify
    from pairup.notifications.models import Notification

    setup = live_event(program, mentors=2, mentees=4, rounds=2)
    live_control(event=setup.event, by=admin, action="start")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, quietly():
        live_control(event=setup.event, by=admin, action="end")
        told = sorted(
            Notification.objects.filter(kind="event_ended").values_list("user_id", flat=True)
        )
    met = {
        Registration.objects.get(pk=pk).user_id
        for round_, mentor, mentee in setup.seats()
        if round_ == 0
        for pk in (mentor, mentee)
    }
    assert told == sorted(met) and mailoutbox == []
    assert not [c for c in callbacks if getattr(c, "func", None) is event_ended_notify]


def test_start_needs_a_published_event_and_schedule(program, admin) -> None:
    unpublished = live_event(program, slug="no-schedule", publish=False)
    with pytest.raises(Conflict) as refused:
        live_control(event=unpublished.event, by=admin, action="start")
    assert refused.value.code == "no_schedule"
    draft = live_event(program, slug="a-draft", state=EventState.DRAFT)
    with pytest.raises(Conflict) as refused:
        live_control(event=draft.event, by=admin, action="start")
    assert refused.value.code == "not_published"
    assert Event.objects.get(pk=draft.event.pk).live_version == 0


def test_conference_buddies_have_no_live_room(program, admin) -> None:
    setup = live_event(program, kind=EventKind.CONFERENCE_BUDDIES, publish=False)
    with pytest.raises(Conflict, match="no live room"):
        live_control(event=setup.event, by=admin, action="start")


def test_an_unknown_action_is_refused_naming_the_field(program, admin) -> None:
    setup = live_event(program)
    with pytest.raises(ServiceError) as refused:
        live_control(event=setup.event, by=admin, action="jump")
    assert refused.value.field == "action"


def test_next_with_the_round_seen_twice_starts_it_once(program, admin) -> None:
    setup = live_event(program, rounds=4)
    live_control(event=setup.event, by=admin, action="start")
    live_control(event=setup.event, by=admin, action="next", to_round=1)
    with pytest.raises(Conflict) as refused:
        live_control(event=setup.event, by=admin, action="next", to_round=1)
    assert refused.value.code == "round_moved_on"
    stored = Event.objects.get(pk=setup.event.pk)
    assert (stored.live_round, stored.live_version) == (1, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_organisers_clicking_next_at_once_do_not_skip_a_round(program, admin, mentor) -> None:
    setup = live_event(program, rounds=4)
    setup.event.organisers.add(mentor)
    live_control(event=setup.event, by=admin, action="start")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click(user) -> None:
        try:
            barrier.wait(timeout=10)
            live_control(event=setup.event, by=user, action="next", to_round=1)
            outcomes.append("started")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(u,)) for u in (admin, mentor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["round_moved_on", "started"]
    stored = Event.objects.get(pk=setup.event.pk)
    assert (stored.live_round, stored.live_version) == (1, 2)


# ------------------------------------------------------------------- the document


def test_the_state_document_names_tables_and_people(program, admin) -> None:
    setup = live_event(program, mentors=2, mentees=3, rounds=3)
    live_control(event=setup.event, by=admin, action="start")
    response = state(signed_in(admin))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    doc = response.json()
    assert (doc["phase"], doc["round"], doc["rounds"], doc["label"]) == (
        "round",
        1,
        3,
        "Round 1 of 3",
    )
    assert doc["next"]["label"] == "A break"
    assert doc["me"] is None  # the admin is not registered
    names = {r.pk: r.user.display_name for r in setup.mentors + setup.mentees}
    seated = setup.seats(0)
    expected = sorted((names[mentor], names[mentee]) for _, mentor, mentee in seated)
    shown = sorted((t["mentor"], name) for t in doc["seating"]["tables"] for name in t["mentees"])
    assert shown == expected
    out = {names[r.pk] for r in setup.mentees} - {names[m] for _, _, m in seated}
    assert set(doc["seating"]["sitting_out"]) == out
    assert doc["next_seating"]["round"] == 2
    # A seating plan, nothing more: no one's email, code or one line in the room part.
    room = json.dumps({k: v for k, v in doc.items() if k != "me"})
    assert "@" not in room and "One line" not in room
    assert not any(r.checkin_code in room for r in setup.mentors + setup.mentees)


def test_a_participant_sees_their_own_seat_partner_topic_and_line(program, admin) -> None:
    setup = live_event(program, mentors=2, mentees=2, rounds=2)
    live_control(event=setup.event, by=admin, action="start")
    mentee = setup.mentees[0]
    response = signed_in(mentee.user).get("/events/live-night/live/state.json?view=me")
    doc = response.json()
    assert doc["view"] == "me" and doc["seating"] is None and doc["next_seating"] is None
    me = doc["me"]
    assert (me["registration_id"], me["side"], me["checkin_code"]) == (
        mentee.pk,
        "mentee",
        mentee.checkin_code,
    )
    (seat,) = [s for s in setup.seats(0) if s[2] == mentee.pk]
    partner = Registration.objects.get(pk=seat[1])
    assert me["now"]["round"] == 1 and me["now"]["sitting_out"] is False
    assert me["now"]["with"] == [
        {
            "name": partner.user.display_name,
            "topics": ["Negotiating an offer"],
            "want": partner.want,
        }
    ]
    assert me["next"]["round"] == 2
    # Another person's own part is never in my document.
    other = setup.mentees[1]
    assert other.checkin_code not in response.content.decode()


def test_etag_gives_304_until_something_changes(
    program, admin, django_capture_on_commit_callbacks
) -> None:
    setup = live_event(program)
    client = signed_in(setup.mentees[0].user)
    first = state(client)
    assert first.status_code == 200
    etag = first["ETag"]
    again = state(client, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    with django_capture_on_commit_callbacks(execute=True):
        live_control(event=setup.event, by=admin, action="start")
    changed = state(client, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["phase"] == "round"


def test_the_document_moves_on_by_the_clock_alone(
    program, admin, django_capture_on_commit_callbacks
) -> None:
    setup = live_event(program, rounds=2, round_minutes=10, break_minutes=2)
    client = signed_in(setup.mentees[0].user)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            live_control(event=setup.event, by=admin, action="start")
        during = state(client)
        assert during.json()["phase"] == "round"
        clock.shift(timedelta(minutes=10, seconds=1))
        moved = state(client, if_none_match=during["ETag"])
        assert moved.status_code == 200
        assert (moved.json()["phase"], moved.json()["round"]) == ("break", 1)
        assert moved.json()["seating"] is None
        assert moved.json()["next_seating"]["round"] == 2
        clock.shift(timedelta(minutes=2))
        assert (state(client).json()["phase"], state(client).json()["round"]) == ("round", 2)


def test_a_poll_reads_the_session_the_user_and_the_cache_only(program, admin) -> None:
    """The short way (events.live_fastpath): no profile, no other query."""
    setup = live_event(program)
    client = signed_in(setup.mentees[0].user)
    etag = state(client)["ETag"]
    with CaptureQueriesContext(connection) as fresh:
        assert state(client, if_none_match=etag).status_code == 304
    # The session, the user, and the cache's one read (the database cache in tests).
    assert len(fresh.captured_queries) == 3
    with CaptureQueriesContext(connection) as full:
        assert state(client).status_code == 200
    assert len(full.captured_queries) <= 4


def test_a_session_that_does_not_verify_goes_the_whole_way(program) -> None:
    setup = live_event(program)
    user = setup.mentees[0].user
    client = signed_in(user)
    assert state(client).status_code == 200
    # A new password ends the other sessions (Django's session hash): 404, signed out.
    user.set_password("another-horse-battery")
    user.save()
    assert state(client).status_code == 404
    assert client.get("/events/live-night/live/me/").status_code == 302
    other = signed_in(setup.mentees[1].user)
    type(user).objects.filter(pk=setup.mentees[1].user_id).update(is_active=False)
    assert state(other).status_code == 404


def test_the_short_way_keeps_the_host_check_and_the_method(program) -> None:
    setup = live_event(program)
    client = signed_in(setup.mentees[0].user)
    assert (
        client.get("/events/live-night/live/state.json", HTTP_HOST="evil.example").status_code
        == 400
    )
    assert client.post("/events/live-night/live/state.json").status_code == 405


# ------------------------------------------------------------------------- access


def test_the_room_is_for_registered_people_and_organisers_only(
    program, admin, mentee, outsider
) -> None:
    setup = live_event(program)
    assert state(signed_in(admin)).status_code == 200
    assert state(signed_in(setup.mentees[0].user)).status_code == 200
    # A member of the program who did not register: 404, as is another program's person.
    assert state(signed_in(mentee)).status_code == 404
    assert state(signed_in(outsider)).status_code == 404
    assert state(Client()).status_code == 404
    for path in ("/events/live-night/live/", "/events/live-night/live/me/"):
        assert signed_in(mentee).get(path).status_code == 404
        assert signed_in(outsider).get(path).status_code == 404
        assert Client().get(path).status_code == 302  # to sign in


def test_the_waitlist_does_not_see_the_room(program) -> None:
    setup = live_event(program)
    user = UserFactory()
    Membership.objects.create(program=program, user=user, is_mentee=True)
    register(setup.event, user, "mentee", status=RegistrationStatus.WAITLISTED)
    assert state(signed_in(user)).status_code == 404


def test_cancelling_takes_the_room_away_at_once_and_gives_it_to_the_promoted(
    program, django_capture_on_commit_callbacks
) -> None:
    """Standings are cached for minutes; a cancellation drops the two that change (the one
    who cancelled, the one promoted from the waitlist) when it commits."""
    from pairup.events.registrations import registration_cancel

    setup = live_event(program)
    Event.objects.filter(pk=setup.event.pk).update(capacity=6)
    waiting = UserFactory()
    Membership.objects.create(program=program, user=waiting, is_mentee=True)
    register(setup.event, waiting, "mentee", status=RegistrationStatus.WAITLISTED)
    leaving = setup.mentees[0]
    leaver, promoted = signed_in(leaving.user), signed_in(waiting)
    assert state(leaver).status_code == 200  # both standings now cached
    assert state(promoted).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=leaving, by=leaving.user)
    assert state(leaver).status_code == 404
    assert state(promoted).status_code == 200


def test_only_organisers_run_the_room(program, admin, mentor) -> None:
    setup = live_event(program)
    participant = signed_in(setup.mentees[0].user)
    assert participant.get("/events/live-night/live/control/").status_code == 404
    assert participant.post("/events/live-night/live/control/start/").status_code == 404
    assert Event.objects.get(pk=setup.event.pk).live_version == 0
    # A member the admin names as organiser may.
    setup.event.organisers.add(mentor)
    organiser = signed_in(mentor)
    assert organiser.get("/events/live-night/live/control/").status_code == 200
    response = organiser.post("/events/live-night/live/control/start/")
    assert response.status_code == 302
    assert Event.objects.get(pk=setup.event.pk).state == EventState.LIVE


def test_an_event_of_another_program_is_404_for_its_admin(program, other_program, outsider) -> None:
    live_event(other_program, slug="globex-night")
    # outsider is an admin of Globex: they run Globex's room ...
    assert signed_in(outsider).get("/events/globex-night/live/control/").status_code == 200
    # ... and see nothing of Acme's.
    live_event(program)
    assert signed_in(outsider).get("/events/live-night/live/control/").status_code == 404


# ------------------------------------------------------------------------ check-in


def test_every_registration_has_a_distinct_code(program) -> None:
    setup = live_event(program, mentors=3, mentees=9)
    codes = [r.checkin_code for r in setup.mentors + setup.mentees]
    assert len(set(codes)) == 12
    assert all(len(c) == 5 and c.isalnum() and c.upper() == c for c in codes)
    assert not set("01IO") & set("".join(codes))


def test_check_in_by_code_in_any_case_with_spaces(program, admin) -> None:
    setup = live_event(program)
    reg = setup.mentees[1]
    typed = f" {reg.checkin_code[:2].lower()} {reg.checkin_code[2:]} "
    assert normalise_code(typed) == reg.checkin_code
    done = registration_check_in(event=setup.event, by=admin, code=typed)
    assert (done.registration.pk, done.already, done.late) == (reg.pk, False, False)
    reg.refresh_from_db()
    assert reg.attendance == Attendance.PRESENT and reg.checked_in_at is not None
    again = registration_check_in(event=setup.event, by=admin, code=reg.checkin_code)
    assert again.already


def test_an_unknown_code_is_refused_naming_the_field(program, admin) -> None:
    setup = live_event(program)
    with pytest.raises(ServiceError) as refused:
        registration_check_in(event=setup.event, by=admin, code="ZZZZ9")
    assert (refused.value.field, refused.value.code) == ("code", "unknown_code")
    with pytest.raises(ServiceError) as short:
        registration_check_in(event=setup.event, by=admin, code="AB")
    assert short.value.code == "bad_code"


def test_absent_then_late_arrival(program, admin) -> None:
    setup = live_event(program)
    reg = setup.mentees[0]
    registration_mark_absent(event=setup.event, by=admin, registration=reg)
    assert Registration.objects.get(pk=reg.pk).attendance == Attendance.ABSENT
    done = registration_check_in(event=setup.event, by=admin, registration=reg)
    assert done.late and Registration.objects.get(pk=reg.pk).attendance == Attendance.PRESENT


def test_closing_the_door_marks_the_rest_absent(program, admin) -> None:
    setup = live_event(program, mentors=2, mentees=4)
    registration_check_in(event=setup.event, by=admin, registration=setup.mentees[0])
    assert registrations_mark_rest_absent(event=setup.event, by=admin) == 5
    assert Registration.objects.filter(event=setup.event, attendance="present").count() == 1


def test_check_in_page_by_code_and_by_tap(program, admin) -> None:
    setup = live_event(program)
    client = signed_in(admin)
    page = client.get("/events/live-night/live/control/")
    assert page.status_code == 200
    assert setup.mentees[0].checkin_code in page.content.decode()
    reg = setup.mentees[0]
    response = client.post("/events/live-night/live/checkin/", {"code": reg.checkin_code.lower()})
    assert response.status_code == 302
    assert Registration.objects.get(pk=reg.pk).attendance == Attendance.PRESENT
    other = setup.mentees[1]
    client.post(f"/events/live-night/live/registrations/{other.pk}/absent/")
    assert Registration.objects.get(pk=other.pk).attendance == Attendance.ABSENT
    followed = client.post("/events/live-night/live/checkin/", {"code": "QQQQQ"}, follow=True)
    assert "No one registered for this event has the code QQQQQ." in followed.content.decode()


# ----------------------------------------------------------------------------- API


def test_api_state_with_etag(program, api) -> None:
    setup = live_event(program)
    client = api(setup.mentees[0].user)
    first = client.get("/events/live-night/live")
    assert first.status_code == 200
    assert first.json()["me"]["registration_id"] == setup.mentees[0].pk
    again = client.client.get(
        "/api/v1/events/live-night/live",
        headers={**client.headers, "If-None-Match": first["ETag"]},
    )
    assert again.status_code == 304


def test_api_controls_for_organisers_only(program, admin, api) -> None:
    setup = live_event(program)
    assert api(setup.mentees[0].user).post("/events/live-night/live/start").status_code == 404
    started = api(admin).post("/events/live-night/live/start")
    assert started.status_code == 200
    assert (started.json()["phase"], started.json()["round"]) == ("round", 1)
    refused = api(admin).post("/events/live-night/live/start")
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_started"
    stale = api(admin).post("/events/live-night/live/next?round=1")
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "round"
    moved = api(admin).post("/events/live-night/live/next?round=2")
    assert moved.status_code == 200 and moved.json()["round"] == 2


def test_api_check_in_and_absent(program, admin, api) -> None:
    setup = live_event(program)
    reg = setup.mentees[0]
    done = api(admin).post("/events/live-night/checkin", {"code": reg.checkin_code})
    assert done.status_code == 200
    assert (done.json()["registration_id"], done.json()["attendance"]) == (reg.pk, "present")
    by_id = api(admin).post("/events/live-night/checkin", {"registration_id": setup.mentees[1].pk})
    assert by_id.json()["attendance"] == "present"
    both = api(admin).post("/events/live-night/checkin", {"code": "X", "registration_id": 1})
    assert both.status_code == 422
    unknown = api(admin).post("/events/live-night/checkin", {"code": "ZZZZ9"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "code"
    absent = api(admin).post(f"/events/live-night/registrations/{setup.mentees[2].pk}/absent")
    assert absent.status_code == 200 and absent.json()["attendance"] == "absent"
    assert (
        api(reg.user).post("/events/live-night/checkin", {"code": reg.checkin_code}).status_code
        == 404
    )


# --------------------------------------------------------------------------- pages


def test_the_pages_render_the_state(program, admin) -> None:
    setup = live_event(program)
    live_control(event=setup.event, by=admin, action="start")
    room = signed_in(admin).get("/events/live-night/live/").content.decode()
    assert "Round 1 of 3" in room and "live.js" in room and "Controls and check-in" in room
    mentee = setup.mentees[0]
    phone = signed_in(mentee.user).get("/events/live-night/live/me/").content.decode()
    assert "Round 1 of 3" in phone and mentee.checkin_code in phone
    # The organiser has no seat: their phone view is the room.
    assert signed_in(admin).get("/events/live-night/live/me/").status_code == 302
    # The controls: the state and its script once each, in the page, not in its title.
    controls = signed_in(admin).get("/events/live-night/live/control/").content.decode()
    assert "<title>Run the room · Live night · PairUp</title>" in controls
    assert controls.count('id="live-initial"') == 1 and controls.count("live.js") == 1


def test_without_a_published_schedule_nobody_is_seated_nor_sits_out(program) -> None:
    setup = live_event(program, publish=False)
    doc = state(signed_in(setup.mentees[0].user)).json()
    assert (doc["phase"], doc["seating"], doc["next_seating"]) == ("waiting", None, None)
    assert (doc["me"]["now"], doc["me"]["next"]) == (None, None)


def test_the_event_pages_lead_to_the_room(program, admin) -> None:
    setup = live_event(program)
    mentee = setup.mentees[0]
    for path in ("/events/live-night/", "/events/live-night/agenda/"):
        page = signed_in(mentee.user).get(path).content.decode()
        assert "/events/live-night/live/me/" in page and mentee.checkin_code in page, path
    assert (
        "/events/live-night/live/control/"
        in signed_in(admin).get("/events/live-night/manage/").content.decode()
    )


def test_publishing_a_schedule_reaches_the_phones_at_once(
    program, admin, django_capture_on_commit_callbacks
) -> None:
    from pairup.events.services_schedule import event_schedule_publish, event_schedule_solve

    setup = live_event(program, publish=False)
    client = signed_in(setup.mentees[0].user)
    before = state(client)
    assert before.json()["next_seating"] is None  # nothing published: nobody seated
    with django_capture_on_commit_callbacks(execute=True):
        event_schedule_solve(event=setup.event, by=admin)
        event_schedule_publish(event=setup.event, by=admin)
    after = state(client, if_none_match=before["ETag"])
    assert after.status_code == 200
    assert after.json()["next_seating"]["round"] == 1
