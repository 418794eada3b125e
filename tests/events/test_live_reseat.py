"""Re-seating the live room after no-shows and late arrivals: the rounds to come change,
played rounds never do, nobody meets anyone twice, sit-outs stay even over the whole
event, and it all happens in one transaction."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from pairup.core.errors import Conflict
from pairup.core.models import TextVector
from pairup.core.vectors import relevance_backend
from pairup.events import live_reseat as live_reseat_module
from pairup.events.live import live_control
from pairup.events.live_checkin import (
    registration_check_in,
    registration_mark_absent,
    reseat_pending,
)
from pairup.events.live_reseat import live_reseat
from pairup.events.live_state import forget_memo, live_now_of
from pairup.events.models import Attendance, Event, EventKind, Registration, Seat
from tests.factories import PASSWORD
from tests.vector_reads import EncodesUnderLock

from .live_factory import LiveSetup, live_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_memo():
    forget_memo()
    yield
    forget_memo()


def running(setup: LiveSetup, admin, round_: int) -> None:
    """The room with round `round_` (from 0) under way."""
    live_control(event=setup.event, by=admin, action="start")
    for r in range(1, round_ + 1):
        live_control(event=setup.event, by=admin, action="next", to_round=r)


def present_mentees(setup: LiveSetup) -> list[int]:
    return list(
        Registration.objects.filter(event=setup.event, seated_as="mentee")
        .exclude(attendance=Attendance.ABSENT)
        .values_list("pk", flat=True)
    )


def sit_outs(setup: LiveSetup) -> dict[int, int]:
    """Rounds each present mentee spends without meeting a present mentor, over all rounds."""
    here = set(
        Registration.objects.filter(event=setup.event)
        .exclude(attendance=Attendance.ABSENT)
        .values_list("pk", flat=True)
    )
    met = Counter(m for _, j, m in setup.seats() if m in here and j in here)
    return {m: setup.event.rounds - met[m] for m in present_mentees(setup)}


def test_no_shows_leave_the_rounds_to_come_and_played_rounds_stay(program, admin) -> None:
    setup = live_event(program, mentors=3, mentees=9, rounds=6)
    running(setup, admin, 1)  # round 2 under way: rounds 3-6 are re-seated
    before = setup.seats()
    played = {s for s in before if s[0] <= 1}
    version = Event.objects.get(pk=setup.event.pk).live_version
    gone = [setup.mentees[0], setup.mentees[4], setup.mentors[2]]
    for reg in gone:
        registration_mark_absent(event=setup.event, by=admin, registration=reg)

    result = live_reseat(event=setup.event, by=admin)

    after = setup.seats()
    assert result.first_round == 2
    assert {s for s in after if s[0] <= 1} == played  # played rounds (and the one under way)
    absent = {r.pk for r in gone}
    assert not [s for s in after if s[0] >= 2 and (s[1] in absent or s[2] in absent)]
    pairs = Counter((j, m) for _, j, m in after)
    assert max(pairs.values()) == 1  # nobody meets anyone twice, over all rounds
    per_round = Counter((r, m) for r, _, m in after)
    assert max(per_round.values()) == 1  # one place per mentee per round
    per_table = Counter((r, j) for r, j, _ in after)
    assert max(per_table.values()) <= setup.event.seats_per_mentor
    counts = sit_outs(setup)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert Event.objects.get(pk=setup.event.pk).live_version == version + 1
    assert result.seats_removed + result.seats_changed > 0 and result.moved > 0
    assert "rounds 3–6" in result.summary


def test_a_re_seat_keeps_the_seats_of_everyone_it_need_not_move(program, admin) -> None:
    """Eight mentees for six seats a round: one leaves; in each round to come a mentee who
    sat out there takes their seat, and every other seat of the rounds to come stays."""
    setup = live_event(program, mentors=6, mentees=8, rounds=4)
    running(setup, admin, 1)  # rounds 3 and 4 are re-seated
    before = setup.seats()
    gone = next(m for r, _, m in sorted(before) if r == 3)
    registration_mark_absent(
        event=setup.event, by=admin, registration=Registration.objects.get(pk=gone)
    )

    result = live_reseat(event=setup.event, by=admin)

    after = setup.seats()
    staying = {s for s in before if s[0] >= 2 and s[2] != gone}
    assert staying <= after  # nobody present was moved
    freed = [s for s in before if s[0] >= 2 and s[2] == gone]
    taken = {s for s in after if s[0] >= 2} - staying
    assert len(taken) == len(freed)  # each freed seat filled by one who sat out there
    assert {(r, j) for r, j, _ in taken} == {(r, j) for r, j, _ in freed}
    assert result.moved <= 2 * len(freed)  # the ones seated there and their mentors
    counts = sit_outs(setup)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_what_happened_is_every_seat_of_a_round_played_whoever_is_absent_now(
    program, admin, monkeypatch
) -> None:
    """The re-seat keeps as met exactly the seats `held_seats` calls held (the definition
    the ratings and the summary use): a played seat with someone now absent included."""
    from pairup.events.after.met import held_seats

    setup = live_event(program, mentors=3, mentees=6, rounds=5)
    running(setup, admin, 1)
    gone = setup.mentors[0]
    registration_mark_absent(event=setup.event, by=admin, registration=gone)
    seen: dict[str, object] = {}
    real = live_reseat_module.reseat_plan

    def spy(*args, **kwargs):
        seen["fixed"] = {(m.round, m.mentor_id, m.mentee_id) for m in kwargs["fixed"]}
        return real(*args, **kwargs)

    monkeypatch.setattr(live_reseat_module, "reseat_plan", spy)
    live_reseat(event=setup.event, by=admin)
    event = Event.objects.get(pk=setup.event.pk)
    held = set(held_seats(event).values_list("round", "mentor_id", "mentee_id"))
    assert seen["fixed"] == held
    assert (
        {s for s in held if s[1] == gone.pk}
        == {s for s in setup.seats() if s[0] <= 1 and s[1] == gone.pk}
        != set()
    )


def test_a_late_arrival_is_seated_in_the_rounds_to_come(program, admin) -> None:
    setup = live_event(program, mentors=2, mentees=4, rounds=4)
    late = setup.mentees[3]
    registration_mark_absent(event=setup.event, by=admin, registration=late)
    running(setup, admin, 0)
    live_reseat(event=setup.event, by=admin)
    assert not [s for s in setup.seats() if s[0] >= 1 and s[2] == late.pk]
    registration_check_in(event=setup.event, by=admin, registration=late)
    live_control(event=setup.event, by=admin, action="next", to_round=1)
    live_reseat(event=setup.event, by=admin)
    rounds = sorted(r for r, _, m in setup.seats() if m == late.pk)
    assert rounds and min(rounds) >= 2
    counts = sit_outs(setup)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_locked_seats_of_people_present_are_kept(program, admin) -> None:
    setup = live_event(program, mentors=3, mentees=6, rounds=4)
    keep = Seat.objects.filter(schedule=setup.schedule, round=3).exclude(mentee=setup.mentees[0])[0]
    keep.locked = True
    keep.save()
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[0])
    live_reseat(event=setup.event, by=admin)
    assert (3, keep.mentor_id, keep.mentee_id) in setup.seats()


def test_the_re_seat_is_all_or_nothing(program, admin, monkeypatch) -> None:
    setup = live_event(program, mentors=2, mentees=5, rounds=4)
    before = setup.seats()
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[0])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The seats to go are deleted by then: the failure must take that back too.
    monkeypatch.setattr(live_reseat_module, "_insert_seats", broken)
    with pytest.raises(RuntimeError):
        live_reseat(event=setup.event, by=admin)
    assert setup.seats() == before
    assert Event.objects.get(pk=setup.event.pk).live_version == 0


def test_nothing_to_re_seat_after_the_last_round_or_the_end(program, admin) -> None:
    setup = live_event(program, rounds=2)
    running(setup, admin, 1)
    with pytest.raises(Conflict) as refused:
        live_reseat(event=setup.event, by=admin)
    assert refused.value.code == "no_round_left"
    live_control(event=setup.event, by=admin, action="end")
    with pytest.raises(Conflict) as over:
        live_reseat(event=setup.event, by=admin)
    assert over.value.code == "event_over"


def test_roundtables_are_re_seated_at_their_topic_tables(program, admin) -> None:
    setup = live_event(program, kind=EventKind.ROUNDTABLES, mentors=2, mentees=6, seats=3, rounds=3)
    assert setup.seats(0)  # the hosts' topic tables are filled
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[1])
    live_reseat(event=setup.event, by=admin)
    after = setup.seats()
    assert not [s for s in after if s[2] == setup.mentees[1].pk]
    assert max(Counter((r, j) for r, j, _ in after).values()) <= 3
    assert max(Counter((j, m) for _, j, m in after).values()) == 1


def test_the_phone_shows_the_new_seat(program, admin, django_capture_on_commit_callbacks) -> None:
    setup = live_event(program, mentors=2, mentees=3, rounds=3)
    with django_capture_on_commit_callbacks(execute=True):
        live_control(event=setup.event, by=admin, action="start")
    client = Client()
    absent_mentor = setup.mentors[0]
    # A mentee who meets the absent mentor in round 2.
    (mentee_id,) = [m for r, j, m in setup.seats(1) if j == absent_mentor.pk][:1]
    mentee = Registration.objects.get(pk=mentee_id)
    assert client.login(email=mentee.user.email, password=PASSWORD)
    first = client.get("/events/live-night/live/state.json?view=me")
    assert first.json()["me"]["next"]["with"][0]["name"] == absent_mentor.user.display_name
    registration_mark_absent(event=setup.event, by=admin, registration=absent_mentor)
    with django_capture_on_commit_callbacks(execute=True):
        live_reseat(event=setup.event, by=admin)
    second = client.get(
        "/events/live-night/live/state.json?view=me", headers={"If-None-Match": first["ETag"]}
    )
    assert second.status_code == 200
    following = second.json()["me"]["next"]
    names = [w["name"] for w in following["with"]]
    assert absent_mentor.user.display_name not in names


def test_re_seat_from_the_page_and_the_api(program, admin, api) -> None:
    setup = live_event(program, mentors=2, mentees=4, rounds=3)
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[0])
    client = Client()
    assert client.login(email=admin.email, password=PASSWORD)
    page = client.get("/events/live-night/live/control/").content.decode()
    assert "1 absent person still has seats" in page
    followed = client.post("/events/live-night/live/control/reseat/", follow=True)
    assert "Re-seated rounds 1–3" in followed.content.decode()
    assert not [s for s in setup.seats() if s[2] == setup.mentees[0].pk]
    response = api(admin).post("/events/live-night/live/reseat")
    assert response.status_code == 200
    assert api(setup.mentees[1].user).post("/events/live-night/live/reseat").status_code == 404


def test_records_apply_the_programs_rules(program, admin) -> None:
    """A block between two people keeps them apart in the re-seated rounds."""
    from pairup.asks.models import Block

    setup = live_event(program, mentors=2, mentees=2, rounds=2)
    mentee, mentor = setup.mentees[0], setup.mentors[0]
    Block.objects.create(blocker=mentee.user, blocked=mentor.user)
    live_reseat(event=setup.event, by=admin)
    assert not [s for s in setup.seats() if (s[1], s[2]) == (mentor.pk, mentee.pk)]


def test_ratings_of_played_rounds_stay(program, admin) -> None:
    """Seats of the rounds to come are deleted without the ORM's cascade: what refers to
    seats (ratings after the event) refers to played ones, which stay with their ratings."""
    from django.utils import timezone

    from pairup.events.models import ConversationRating

    setup = live_event(program, mentors=2, mentees=4, rounds=3)
    running(setup, admin, 0)
    played = Seat.objects.filter(schedule=setup.schedule, round=0).select_related("mentee")[0]
    now = timezone.now()
    ConversationRating.objects.create(
        seat=played, rater=played.mentee.user, rating=5, created_at=now, updated_at=now
    )
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[3])
    live_reseat(event=setup.event, by=admin)
    assert ConversationRating.objects.get(seat=played).rating == 5


def _card(client: Client) -> str:
    """The re-seat card of the control page."""
    page = client.get("/events/live-night/live/control/").content.decode()
    return page[page.index('id="reseat-title"') : page.index('id="checkin-title"')]


def _pending(setup: LiveSetup):
    event = Event.objects.get(pk=setup.event.pk)
    return reseat_pending(event, setup.schedule.pk, live_now_of(event))


def test_the_card_urges_a_re_seat_only_when_attendance_changed_since_the_last(
    program, admin
) -> None:
    """Two places a round for four mentees: in the last round two of them sit out however
    the room is re-seated. After a re-seat the card no longer urges another (it would seat
    no one more) until someone comes or goes."""
    setup = live_event(program, mentors=2, mentees=4, rounds=3)
    late = setup.mentees[3]
    registration_mark_absent(event=setup.event, by=admin, registration=late)
    running(setup, admin, 1)  # round 2 under way: round 3 is the one to come
    client = Client()
    assert client.login(email=admin.email, password=PASSWORD)
    assert _pending(setup).due  # never re-seated: people here have no seat in round 3
    assert "data-reseat-due" in _card(client)

    live_reseat(event=setup.event, by=admin)
    pending = _pending(setup)
    assert pending.unseated_present > 0 and pending.reseated
    assert not pending.due
    card = _card(client)
    assert "data-reseat-due" not in card
    assert 'class="ghost">Re-seat rounds 3–3' in card
    # Three mentees here for two places.
    assert pending.unseated_present == 1
    assert "1 person sits out the rounds to come: every place is taken" in card

    registration_check_in(event=setup.event, by=admin, registration=late)
    pending = _pending(setup)
    assert pending.due and pending.arrived == 1
    card = _card(client)
    assert "data-reseat-due" in card
    assert "1 person arrived since the last re-seat." in card
    assert 'class="ghost">Re-seat' not in card

    live_reseat(event=setup.event, by=admin)
    assert not _pending(setup).due
    # A check-in of someone who was not marked absent changes nothing a re-seat acts on.
    registration_check_in(event=setup.event, by=admin, registration=setup.mentees[0])
    assert not _pending(setup).due
    registration_mark_absent(event=setup.event, by=admin, registration=setup.mentees[1])
    pending = _pending(setup)
    assert pending.due and pending.changes == "1 person marked absent since the last re-seat."


def test_changes_since_the_last_re_seat_in_words() -> None:
    from pairup.events.live_checkin import Pending

    pending = Pending(2, 0, 3, reseated=True, arrived=2, marked_absent=1, cancelled=1)
    assert pending.due
    assert pending.changes == (
        "2 people arrived, 1 person marked absent and 1 person cancelled since the last re-seat."
    )
    assert pending.settled == ""
    settled = Pending(2, 0, 3, reseated=True)
    assert not settled.due
    assert settled.settled.startswith("3 people sit out the rounds to come: every place is taken")
    assert Pending(2, 0, 3).due  # never re-seated
    assert not Pending(2, 0, 0, reseated=True, arrived=1).due  # everyone is seated


def test_the_door_closing_and_a_cancellation_count_as_changes(program, admin) -> None:
    from pairup.events.live_checkin import registrations_mark_rest_absent
    from pairup.events.registrations import registration_cancel

    setup = live_event(program, mentors=2, mentees=4, rounds=3)
    for registration in [*setup.mentors, *setup.mentees[:3]]:
        registration_check_in(event=setup.event, by=admin, registration=registration)
    running(setup, admin, 1)
    live_reseat(event=setup.event, by=admin)
    assert not _pending(setup).due
    registrations_mark_rest_absent(event=setup.event, by=admin)
    pending = _pending(setup)
    assert pending.marked_absent == 1 and pending.due
    live_reseat(event=setup.event, by=admin)
    assert not _pending(setup).due
    seated = Registration.objects.get(
        pk=next(m for r, _, m in setup.seats() if r == 2 and m != setup.mentees[3].pk)
    )
    registration_cancel(registration=seated, by=seated.user)
    pending = _pending(setup)
    assert pending.cancelled == 1 and pending.cancelled_seated == 1 and pending.due
    assert pending.changes == "1 person cancelled since the last re-seat."


@pytest.mark.semantic
def test_a_re_seat_encodes_nothing_while_the_event_is_locked(program, admin, monkeypatch) -> None:
    # Registering and checking in wait for the event's row lock: the texts the re-seat
    # lacks (a late arrival's) are encoded before it takes the lock.
    setup = live_event(program, mentors=2, mentees=4, rounds=4)
    running(setup, admin, 0)
    TextVector.objects.all().delete()  # as if nobody's texts were stored yet
    backend = relevance_backend()
    assert backend is not None
    embedder = backend[0]
    # Its first read under the lock stands for the lock.
    watch = EncodesUnderLock(monkeypatch, embedder, live_reseat_module, "load_event_records")
    live_reseat(event=setup.event, by=admin)
    watch.assert_encoded_before_the_lock(at_least=2)
